/**
 * Bounded memory per session: with `gateway.max_inflight_frames_per_connection` frames unanswered,
 * further frames are shed — neither dispatched nor answered (DEVIATIONS.md D6: the vehicle resends) —
 * and the session recovers once replies drain.
 */
import { GatewayProcess, TEST_VINS } from '../harness/gateway-process';
import { seededRandom, streamFrame, vehicleDataPayload } from '../../bench/vehicle/records';

const VIN = TEST_VINS[3];
const rand = seededRandom(11);
let gateway: GatewayProcess;
beforeAll(async () => {
  gateway = await GatewayProcess.start({ config: { gateway: { workers: 1, max_inflight_frames_per_connection: 4 } } });
});
afterAll(async () => {
  await gateway?.stop();
});

it('sheds frames beyond the in-flight bound without replying, in order, and recovers', async () => {
  const vehicle = await gateway.vehicle(VIN);
  // No wait for the CONNECTED record: the server makes it, so it takes none of the vehicle's slots
  // and the whole bound is free for the burst.
  const burst = 60;
  // One write: the frames arrive together, faster than a dispatch round trip.
  for (let i = 0; i < burst; i++)
    vehicle.send(streamFrame({ topic: 'V', txid: `burst-${i}`, payload: vehicleDataPayload(VIN, 20, rand), vin: VIN }));
  await gateway.waitForLog((l) => l.msg === 'session_backpressure');
  // After the burst, one more frame; its reply marks the end of the burst's replies.
  await new Promise((r) => setTimeout(r, 200));
  vehicle.send(streamFrame({ topic: 'V', txid: 'marker', payload: vehicleDataPayload(VIN, 20, rand), vin: VIN }));
  const answered: number[] = [];
  for (;;) {
    const reply = await vehicle.nextReply();
    if (reply.txid === 'marker') break;
    expect(reply.kind).toBe('ack');
    answered.push(Number(reply.txid.split('-')[1]));
  }
  expect(answered.length).toBeGreaterThanOrEqual(4);
  expect(answered.length).toBeLessThan(burst);
  expect(answered).toEqual([...answered].sort((a, b) => a - b));
  // What was not answered was not dispatched either.
  const dispatched = new Set(gateway.logs.filter((l) => l.msg === 'record_payload').map((l) => (l.metadata as { txid: string }).txid));
  for (let i = 0; i < burst; i++) expect(dispatched.has(`burst-${i}`)).toBe(answered.includes(i));
  await vehicle.close();
});
