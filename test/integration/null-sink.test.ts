/**
 * The null sink (ours, for load tests) through the real gateway: records are accepted and dropped,
 * and as a reliable-ack source it confirms at once, so the held-ACK path answers every frame, in order.
 */
import { GatewayProcess, TEST_VINS } from '../harness/gateway-process';
import { alertsPayload, seededRandom, streamFrame, vehicleDataPayload } from '../../bench/vehicle/records';
import { writeAck } from '../../shared/envelope/write-frame';

const VIN = TEST_VINS[0];
const rand = seededRandom(17);
let gateway: GatewayProcess;

beforeAll(async () => {
  gateway = await GatewayProcess.start({
    dispatchThreads: 2,
    config: { records: { V: ['null', 'logger'], alerts: ['null'] }, reliable_ack_sources: { V: 'null' } },
  });
});
afterAll(async () => {
  await gateway?.stop();
});

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

test('a reliable-ack type gets one ACK per frame, in order, and every record reaches the other sink', async () => {
  const vehicle = await gateway.vehicle(VIN);
  const txids = Array.from({ length: 60 }, (_, i) => `null-${i}`);
  for (const txid of txids) vehicle.send(streamFrame({ topic: 'V', txid, payload: vehicleDataPayload(VIN, 20, rand), vin: VIN }));
  const replies: string[] = [];
  for (let i = 0; i < txids.length; i++) replies.push(hex((await vehicle.nextReply()).bytes));
  expect(replies).toEqual(txids.map((txid) => hex(writeAck(txid, 'V'))));
  // stderr is read asynchronously by the harness: wait for the last line before counting.
  await gateway.waitForLog((l) => l.msg === 'record_payload' && (l.metadata as { txid?: string }).txid === txids[txids.length - 1]);
  const logged = new Set(gateway.logs.filter((l) => l.msg === 'record_payload').map((l) => (l.metadata as { txid: string }).txid));
  expect(txids.filter((txid) => !logged.has(txid))).toEqual([]);
  await vehicle.close();
});

test('a plain type is ACKed at once and never logged', async () => {
  const vehicle = await gateway.vehicle(VIN);
  vehicle.send(streamFrame({ topic: 'alerts', txid: 'null-alerts', payload: alertsPayload(VIN, rand), vin: VIN }));
  expect(hex((await vehicle.nextReply()).bytes)).toBe(hex(writeAck('null-alerts', 'alerts')));
  expect(gateway.logs.some((l) => (l.metadata as { txid?: string } | undefined)?.txid === 'null-alerts')).toBe(false);
  await vehicle.close();
});
