/**
 * Signals at any moment (issue: SIGTERM while workers were starting crashed the primary with an
 * unhandled `write EPIPE`): while starting, during a drain, twice in a row. Each must end in an
 * orderly stop: exit 0, nothing but log lines on stderr, and no process of the tree left.
 */
import { GatewayProcess, TEST_VINS } from '../harness/gateway-process';
import { newTreeMarker, processesOf, survivorsOf } from '../harness/process-tree';

const launched: GatewayProcess[] = [];
// A test that failed before its signal leaves no gateway behind.
afterEach(async () => {
  await Promise.all(launched.splice(0).map((g) => g.stop()));
});

async function launch(marker: Record<string, string>): Promise<GatewayProcess> {
  const gateway = await GatewayProcess.launch({ workers: 2, dispatchThreads: 2, env: marker });
  launched.push(gateway);
  return gateway;
}

async function expectCleanStop(gateway: GatewayProcess, marker: Record<string, string>): Promise<void> {
  expect(await gateway.exited).toBe(0);
  expect(gateway.otherStderr).toEqual([]);
  expect(gateway.logs.filter((l) => l.level === 'error' || /uncaught|unhandled/i.test(l.msg))).toEqual([]);
  expect(await survivorsOf(marker)).toEqual([]);
}

describe('a stop signal while the gateway starts', () => {
  // Not sooner: before Node has run the first line of cli.js, no process can catch a signal.
  it.each([
    ['SIGTERM', 500],
    ['SIGINT', 500],
  ] as const)('%s %i ms after the start stops it cleanly', async (signal, afterMs) => {
    const marker = newTreeMarker();
    const gateway = await launch(marker);
    // The moment under test is a time after the start, not an event.
    await new Promise((r) => setTimeout(r, afterMs));
    gateway.signal(signal);
    await expectCleanStop(gateway, marker);
  });

  it('SIGTERM while the workers are forked but not all listening yet stops it cleanly', async () => {
    const marker = newTreeMarker();
    const gateway = await launch(marker);
    // The primary and at least one worker exist: the drain must reach a worker still starting.
    // (No event marks a fork from outside: /proc is polled, as often as is cheap.)
    while (processesOf(marker).length < 2) await new Promise((r) => setTimeout(r, 5));
    gateway.signal('SIGTERM');
    await expectCleanStop(gateway, marker);
  });
});

describe('a signal during the drain', () => {
  it('SIGINT during a SIGTERM drain: one orderly stop', async () => {
    const marker = newTreeMarker();
    const gateway = await launch(marker);
    await gateway.waitForLog((l) => l.msg === 'server_listening', 30_000);
    const vehicle = await gateway.vehicle(TEST_VINS[0]);
    // A stopped worker cannot finish its drain, which holds the drain open for the second signal.
    const held = gateway.logs.find((l) => l.msg === 'worker_listening')?.worker_pid as number;
    process.kill(held, 'SIGSTOP');
    try {
      gateway.signal('SIGTERM');
      await gateway.waitForLog((l) => l.msg === 'draining');
      gateway.signal('SIGINT');
      await gateway.waitForLog((l) => l.msg === 'draining' && l.signal === 'SIGINT');
    } finally {
      process.kill(held, 'SIGCONT');
    }
    await expectCleanStop(gateway, marker);
    await vehicle.close();
  });

  it('SIGTERM twice in a row: one orderly stop', async () => {
    const marker = newTreeMarker();
    const gateway = await launch(marker);
    await gateway.waitForLog((l) => l.msg === 'server_listening', 30_000);
    gateway.signal('SIGTERM');
    gateway.signal('SIGTERM');
    await expectCleanStop(gateway, marker);
    expect(gateway.logs.filter((l) => l.msg === 'stopped_server' && l.pid === gateway.pid)).toHaveLength(1);
  });
});

describe('SIGHUP', () => {
  it('SIGTERM while a reload rolls the workers: one orderly stop of both generations', async () => {
    const marker = newTreeMarker();
    const gateway = await launch(marker);
    await gateway.waitForLog((l) => l.msg === 'server_listening', 30_000);
    gateway.signal('SIGHUP');
    await gateway.waitForLog((l) => l.msg === 'reloading');
    gateway.signal('SIGTERM');
    await expectCleanStop(gateway, marker);
  });

  it('does not end the gateway: it rolls the workers and keeps serving', async () => {
    const marker = newTreeMarker();
    const gateway = await launch(marker);
    await gateway.waitForLog((l) => l.msg === 'server_listening', 30_000);
    const before = new Set(gateway.logs.filter((l) => l.msg === 'worker_listening').map((l) => l.worker_pid));
    gateway.signal('SIGHUP');
    await gateway.waitForLog((l) => l.msg === 'reloaded');
    const after = gateway.logs.filter((l) => l.msg === 'worker_listening' && !before.has(l.worker_pid));
    expect(after).toHaveLength(2);
    // Once the old generation has stopped, only the new workers listen: a vehicle that connects while
    // a retiring worker still holds its handshake is dropped with it (it reconnects), not served.
    for (const pid of before) await gateway.waitForLog((l) => l.msg === 'stopped_server' && l.pid === pid);
    const vehicle = await gateway.vehicle(TEST_VINS[1]);
    await vehicle.close();
    gateway.signal('SIGTERM');
    await expectCleanStop(gateway, marker);
  });
});
