import type { VehicleConnection } from '../../bench/vehicle/vehicle-client';
import type { GatewayProcess } from './gateway-process';

export interface DrainRun {
  exitCode: number | null;
  /** Per vehicle (same index as `vehicles`), the txids ACKed, in reply order. */
  acked: string[][];
}

/**
 * Every vehicle sends one frame per round while the gateway is SIGTERMed part-way, so frames are
 * in flight when the drain begins. Resolves once the gateway has exited and every connection closed.
 */
export async function sendThroughDrain(
  gateway: GatewayProcess,
  vehicles: readonly VehicleConnection[],
  frame: (vehicle: number, round: number) => Uint8Array,
  { rounds = 60, signalAt = 30 } = {},
): Promise<DrainRun> {
  const acked: string[][] = vehicles.map(() => []);
  const readers = vehicles.map(async (vehicle, v) => {
    for (;;) {
      try {
        const reply = await vehicle.nextReply(60_000);
        if (reply.kind === 'ack') acked[v].push(reply.txid);
      } catch {
        return; // closed by the drain
      }
    }
  });
  const sending = (async () => {
    for (let round = 0; round < rounds; round++) {
      vehicles.forEach((vehicle, v) => vehicle.send(frame(v, round)));
      if (round === signalAt) gateway.signal('SIGTERM');
      await new Promise((r) => setImmediate(r));
    }
  })().catch(() => undefined); // sends after the close may fail
  const exitCode = await gateway.exited;
  await sending;
  await Promise.all(readers);
  return { exitCode, acked };
}
