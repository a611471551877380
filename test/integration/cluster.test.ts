/**
 * The process tree: connections spread over the workers' SO_REUSEPORT listeners, a crashed worker
 * is replaced, and SIGTERM drains without losing an ACKed record.
 */
import { GatewayProcess, TEST_VINS } from '../harness/gateway-process';
import type { LogLine } from '../harness/gateway-process';
import { sendThroughDrain } from '../harness/drain-run';
import type { VehicleConnection } from '../../bench/vehicle/vehicle-client';
import { seededRandom, streamFrame, vehicleDataPayload } from '../../bench/vehicle/records';

const rand = seededRandom(7);
const connectedPids = (g: GatewayProcess) => g.logs.filter((l) => l.msg === 'socket_connected').map((l) => l.pid);

describe('cluster', () => {
  let gateway: GatewayProcess;
  beforeAll(async () => {
    gateway = await GatewayProcess.start({ workers: 2 });
  });
  afterAll(async () => {
    await gateway?.stop();
  });

  it('lands connections on more than one worker', async () => {
    const vehicles: VehicleConnection[] = [];
    for (let i = 0; i < 24; i++) vehicles.push(await gateway.vehicle(TEST_VINS[i % TEST_VINS.length]));
    await gateway.waitForLog(() => connectedPids(gateway).length >= 24);
    expect(new Set(connectedPids(gateway)).size).toBe(2);
    await Promise.all(vehicles.map((v) => v.close()));
  });

  it('replaces a killed worker, and new connections succeed', async () => {
    const victim = connectedPids(gateway)[0] as number;
    process.kill(victim, 'SIGKILL');
    await gateway.waitForLog((l) => l.msg === 'worker_exited' && String(l.error).includes(String(victim)));
    const seenBefore = new Set(connectedPids(gateway));
    const startedBefore = new Set(gateway.logs.filter((l) => l.msg === 'worker_listening').map((l) => l.worker_pid));
    const replacement = await gateway.waitForLog((l) => l.msg === 'worker_listening' && !startedBefore.has(l.worker_pid));
    // Keep connecting until the kernel's SO_REUSEPORT hash lands a connection on the replacement.
    for (let i = 0; i < 60; i++) {
      const vehicle = await gateway.vehicle(TEST_VINS[0]);
      vehicle.send(
        streamFrame({ topic: 'V', txid: `after-kill-${i}`, payload: vehicleDataPayload(TEST_VINS[0], 20, rand), vin: TEST_VINS[0] }),
      );
      expect((await vehicle.nextReply()).kind).toBe('ack');
      await vehicle.close();
      if (connectedPids(gateway).includes(replacement.worker_pid as number)) break;
    }
    const pids = new Set(connectedPids(gateway));
    expect(pids.has(replacement.worker_pid as number)).toBe(true);
    expect(seenBefore.has(replacement.worker_pid as number)).toBe(false);
    expect(pids.has(victim)).toBe(true); // it served before it was killed
  });
});

describe('SIGTERM drain', () => {
  it('exits 0 and every ACKed record reached the sink', async () => {
    const gateway = await GatewayProcess.start({ workers: 2, dispatchThreads: 2 });
    const vehicles = await Promise.all(TEST_VINS.map((vin) => gateway.vehicle(vin)));
    const run = await sendThroughDrain(
      gateway,
      vehicles,
      (v, round) =>
        streamFrame({ topic: 'V', txid: `drain-${v}-${round}`, payload: vehicleDataPayload(TEST_VINS[v], 30, rand), vin: TEST_VINS[v] }),
      { rounds: 200, signalAt: 50 },
    );
    expect(run.exitCode).toBe(0);
    const acked = run.acked.flat();
    expect(acked.length).toBeGreaterThan(0);
    const logged = new Set(
      gateway.logs.filter((l: LogLine) => l.msg === 'record_payload').map((l) => (l.metadata as { txid: string }).txid),
    );
    const lost = acked.filter((txid) => !logged.has(txid));
    expect(lost).toEqual([]);
    expect(acked.length).toBeLessThanOrEqual(200 * vehicles.length); // no more ACKs than frames sent
  });
});
