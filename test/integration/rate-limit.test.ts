/**
 * DEVIATIONS.md D3: with `rate_limit.enabled`, at most `message_limit` messages per
 * `message_interval_time` seconds per connection; limited messages get no reply and are not dispatched.
 */
import { GatewayProcess, TEST_VINS } from '../harness/gateway-process';
import { seededRandom, streamFrame, vehicleDataPayload } from '../../bench/vehicle/records';

const VIN = TEST_VINS[2];
const rand = seededRandom(3);
const INTERVAL_S = 2;

let gateway: GatewayProcess;
beforeAll(async () => {
  gateway = await GatewayProcess.start({ config: { rate_limit: { enabled: true, message_limit: 3, message_interval_time: INTERVAL_S } } });
});
afterAll(async () => {
  await gateway?.stop();
});

const frame = (txid: string) => streamFrame({ topic: 'V', txid, payload: vehicleDataPayload(VIN, 20, rand), vin: VIN });

it('drops messages over the limit without reply or dispatch, and allows more once the window slides', async () => {
  const vehicle = await gateway.vehicle(VIN);
  for (const txid of ['rl-1', 'rl-2', 'rl-3', 'rl-4-limited']) vehicle.send(frame(txid));
  for (const txid of ['rl-1', 'rl-2', 'rl-3']) expect((await vehicle.nextReply()).txid).toBe(txid);
  // Replies leave in arrival order, so if the 4th had been answered its reply would come before this one.
  await new Promise((r) => setTimeout(r, INTERVAL_S * 1000 + 100));
  vehicle.send(frame('rl-5'));
  expect((await vehicle.nextReply()).txid).toBe('rl-5');
  await gateway.waitForLog((l) => l.msg === 'record_payload' && (l.metadata as { txid: string }).txid === 'rl-5');
  const dispatched = gateway.logs.filter((l) => l.msg === 'record_payload').map((l) => (l.metadata as { txid: string }).txid);
  expect(dispatched).toEqual(expect.arrayContaining(['rl-1', 'rl-2', 'rl-3', 'rl-5']));
  expect(dispatched).not.toContain('rl-4-limited');
  // A second connection of the same vehicle has its own window.
  const second = await gateway.vehicle(VIN);
  second.send(frame('rl-other'));
  expect((await second.nextReply()).txid).toBe('rl-other');
  await Promise.all([vehicle.close(), second.close()]);
});
