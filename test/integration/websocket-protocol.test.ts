/**
 * WebSocket framing errors (RFC 6455 §5.2, §5.4, §5.5) as uWebSockets.js 20.57 handles them below
 * the application: the connection is failed (TCP closed; uWS sends no close frame, which §7.1.7
 * allows but upstream does send 1002), and neither the offending frame nor anything after it
 * reaches the pipeline. A client's close frame is answered with its code.
 */
import { randomUUID } from 'node:crypto';
import { GatewayProcess, TEST_VINS } from '../harness/gateway-process';
import { RawVehicle, rawFrame } from '../harness/raw-vehicle';
import { seededRandom, streamFrame, vehicleDataPayload } from '../../bench/vehicle/records';

const VIN = TEST_VINS[2];
const rand = seededRandom(5);
let gateway: GatewayProcess;
beforeAll(async () => {
  gateway = await GatewayProcess.start({ config: { gateway: { workers: 1 } } });
});
afterAll(async () => {
  await gateway?.stop();
});

const record = (txid: string) => streamFrame({ topic: 'V', txid, payload: vehicleDataPayload(VIN, 5, rand), vin: VIN });
const dispatched = (txid: string) =>
  gateway.logs.filter((l) => l.msg === 'record_payload' && (l.metadata as { txid?: string }).txid === txid);

const violations: [string, (txid: string) => Buffer][] = [
  ['an RSV bit set without an extension', (txid) => rawFrame(0x2, record(txid), { rsv: 4 })],
  ['a reserved data opcode', (txid) => rawFrame(0x3, record(txid))],
  ['a reserved control opcode', (txid) => rawFrame(0xb, record(txid))],
  ['a continuation without a message to continue', (txid) => rawFrame(0x0, record(txid))],
  ['a fragmented control frame', (txid) => rawFrame(0x9, Buffer.from(txid), { fin: false })],
  ['a control frame over 125 bytes', (txid) => rawFrame(0x9, Buffer.concat([Buffer.from(txid), Buffer.alloc(126)]))],
];

describe.each(violations)('%s', (_name, frame) => {
  it('ends the session; neither it nor a valid frame after it is dispatched or answered', async () => {
    const connectionId = randomUUID();
    const vehicle = await RawVehicle.connect(gateway, VIN, { 'X-TXID': connectionId });
    const txid = `violation-${Math.floor(rand() * 1e9)}`;
    // One write: the valid frame arrives in the same read as the violation.
    vehicle.write(Buffer.concat([frame(txid), rawFrame(0x2, record(`${txid}-next`))]));
    await vehicle.ended;
    expect(vehicle.frames).toEqual([]);
    // The session's DISCONNECTED record is dispatched after anything the session dispatched.
    await gateway.waitForLog(
      (l) =>
        l.msg === 'record_payload' &&
        (l.data as { Status?: string; ConnectionID?: string }).Status === 'DISCONNECTED' &&
        (l.data as { ConnectionID?: string }).ConnectionID === connectionId,
    );
    expect(dispatched(txid)).toEqual([]);
    expect(dispatched(`${txid}-next`)).toEqual([]);
  });
});

it('answers a client close frame with its code, and ends the session', async () => {
  const vehicle = await RawVehicle.connect(gateway, VIN);
  const payload = Buffer.concat([Buffer.from([0x0f, 0xa0]), Buffer.from('going away')]); // 4000
  vehicle.write(rawFrame(0x8, payload));
  await vehicle.ended;
  expect(vehicle.close?.code).toBe(4000);
});
