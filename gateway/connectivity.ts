/**
 * Server-synthesised connectivity records (PROTOCOL.md §7): a VehicleConnectivity message wrapped
 * in a stream frame as if the vehicle had sent it; the dispatch pipeline treats it like any record,
 * except that it gets no reply.
 */
import { encode, payloadTypeFor } from '../shared/protobuf';
import type { MessageInit, VehicleConnectivity } from '../shared/protobuf';
import { writeStream } from '../shared/envelope/write-frame';
import type { SessionIdentity } from '../shared/batch';

const STATUS = { CONNECTED: 1, DISCONNECTED: 2 } as const;
export type ConnectivityStatus = keyof typeof STATUS;

/** When the event happened; `extraNanos` orders events of one millisecond (vin-connectivity.ts). */
export interface ConnectivityTime {
  ms: number;
  extraNanos: number;
}

export function connectivityFrame(
  identity: SessionIdentity,
  networkInterface: string,
  status: ConnectivityStatus,
  at: ConnectivityTime = { ms: Date.now(), extraNanos: 0 },
): Uint8Array {
  const message: MessageInit<VehicleConnectivity> = {
    vin: identity.deviceId,
    connection_id: identity.socketId,
    status: STATUS[status],
    created_at: { seconds: BigInt(Math.floor(at.ms / 1000)), nanos: (at.ms % 1000) * 1_000_000 + at.extraNanos },
    network_interface: networkInterface,
  };
  return writeStream({
    senderId: identity.senderId,
    topic: 'connectivity',
    txid: identity.socketId,
    payload: encode(payloadTypeFor('connectivity'), message),
    createdAt: Math.floor(at.ms / 1000),
    messageId: '',
    // Hard-coded upstream whatever the real client type (§7 step 2).
    deviceType: 'vehicle_device',
    deviceId: identity.deviceId,
    deliveredAt: 0n,
  });
}
