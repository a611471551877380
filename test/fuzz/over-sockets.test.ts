/**
 * A slice of the fuzz cases over real sockets: the built gateway as a process, one mTLS WebSocket
 * session, the same invariants as in-process (every frame its one reply, in order, the reply its
 * frame calls for, the session kept open).
 */
import { GatewayProcess } from '../harness/gateway-process';
import { seededRandom } from '../../bench/vehicle/records';
import { FUZZ_VIN } from './in-process-gateway';
import { violations } from './invariants';
import { fuzzCase } from './mutate';

const CASES = 5_000;
let gateway: GatewayProcess;
beforeAll(async () => {
  gateway = await GatewayProcess.start({
    config: {
      // As in-process: every record type to the null sink, `alerts` with a reliable ACK.
      records: { V: ['null'], alerts: ['null'], errors: ['null'], connectivity: ['null'] },
      reliable_ack_sources: { alerts: 'null' },
    },
  });
});
afterAll(async () => {
  await gateway?.stop();
});

it(`keeps every invariant over ${CASES} cases sent over a real session`, async () => {
  const rand = seededRandom(4_242);
  const vehicle = await gateway.vehicle(FUZZ_VIN);
  const failures: string[] = [];
  for (let i = 0; i < CASES; i++) {
    const frames = fuzzCase(rand);
    for (const f of frames) vehicle.send(f.bytes);
    const replies: Uint8Array[] = [];
    try {
      for (let k = 0; k < frames.length; k++) replies.push((await vehicle.nextReply()).bytes);
    } catch (error) {
      failures.push(`case ${i}: ${String(error)}`);
      break; // the session is gone or stuck: later cases would only repeat it
    }
    const problems = violations(frames, { replies, closed: false }, 0);
    if (problems.length > 0) failures.push(`case ${i}: ${problems.join('; ')}`);
  }
  expect(failures).toEqual([]);
  expect(vehicle.pendingReplies).toBe(0);
  await vehicle.close();
}, 600_000);
