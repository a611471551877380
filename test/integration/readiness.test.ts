/**
 * Health endpoints of the status port (PROTOCOL.md §11.5 plus ours): `/status` as upstream,
 * `/livez`, and `/readyz`, which is unready while a worker slot has no listening worker, while a
 * configured sink is not connected, and while draining.
 */
import { GatewayProcess, TEST_VINS } from '../harness/gateway-process';
import { startService, stopService } from '../harness/services';
import { SINKS } from '../../dispatch-workers/sinks/registry';
import { seededRandom, streamFrame, vehicleDataPayload } from '../../bench/vehicle/records';
import { freePort } from '../../shared/free-port';
import { httpGet, untilReadyz } from './metrics-scrape';

async function readyz(port: number): Promise<{ status: number; body: string }> {
  return httpGet(port, '/readyz');
}

describe('status port probes, 2 workers', () => {
  let gateway: GatewayProcess;
  let statusPort: number;
  beforeAll(async () => {
    statusPort = await freePort();
    gateway = await GatewayProcess.start({ workers: 2, config: { status_port: statusPort } });
  });
  afterAll(async () => {
    await gateway?.stop();
  });

  it('answers /status (upstream), /livez and /readyz; other paths 404', async () => {
    expect(await httpGet(statusPort, '/status')).toMatchObject({ status: 200, body: 'ok' });
    expect(await httpGet(statusPort, '/livez')).toMatchObject({ status: 200, body: 'ok' });
    expect(await readyz(statusPort)).toMatchObject({ status: 200, body: 'ok' });
    expect(await httpGet(statusPort, '/metrics')).toMatchObject({ status: 404, body: '404 page not found\n' });
  });

  it('is unready while a worker slot has no listening worker, ready once it is replaced', async () => {
    const victim = gateway.logs.find((l) => l.msg === 'worker_listening')?.worker_pid as number;
    process.kill(victim, 'SIGKILL');
    const body = await untilReadyz(statusPort, 503);
    expect(body).toMatch(/^not ready:\nworker [01] is not listening\n$/);
    expect((await httpGet(statusPort, '/livez')).status).toBe(200);
    await untilReadyz(statusPort, 200);
    // The replacement serves vehicles.
    const vehicle = await gateway.vehicle(TEST_VINS[0]);
    await vehicle.close();
  });
});

describe('readiness during a SIGTERM drain', () => {
  it('turns unready as soon as the drain starts and the gateway still exits 0', async () => {
    const statusPort = await freePort();
    const gateway = await GatewayProcess.start({ workers: 2, config: { status_port: statusPort } });
    expect((await readyz(statusPort)).status).toBe(200);
    // A stopped worker cannot finish its drain, which keeps the primary (and its status port) up.
    const held = gateway.logs.find((l) => l.msg === 'worker_listening')?.worker_pid as number;
    process.kill(held, 'SIGSTOP');
    try {
      gateway.signal('SIGTERM');
      const body = await untilReadyz(statusPort, 503);
      expect(body.split('\n')).toContain('draining');
    } finally {
      process.kill(held, 'SIGCONT');
    }
    expect(await gateway.exited).toBe(0);
  });
});

/**
 * A sink's broker going away. Brokers whose sink reports `healthy()` (sink.ts) are checked; a sink
 * that does not report health cannot make /readyz unready, which the first `sink_health` line shows.
 */
const BROKER_SINKS = [
  {
    sink: 'kinesis',
    service: 'kinesis',
    start: () => startService('kinesis', { KINESIS_STREAMS: 'rz_V' }),
    config: (vars: Record<string, string>) => ({
      namespace: 'rz',
      records: { V: ['kinesis'] },
      kinesis: { override_host: vars.KINESIS_ENDPOINT },
    }),
    env: { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' } as Record<string, string>,
  },
  {
    sink: 'mqtt',
    service: 'mqtt',
    start: () => startService('mqtt'),
    config: (vars: Record<string, string>) => ({
      records: { V: ['mqtt'] },
      mqtt: { broker: vars.MQTT_BROKER, topic_base: 'rz', qos: 1, connect_retry_interval_ms: 200 },
    }),
    env: {} as Record<string, string>,
  },
  {
    sink: 'redis',
    service: 'redis',
    start: () => startService('redis'),
    config: (vars: Record<string, string>) => ({
      namespace: 'rz',
      records: { V: ['redis'] },
      redis: { addrs: [vars.REDIS_ADDR], publish_vin_topics: true },
    }),
    env: {},
  },
].filter((b) => SINKS.some((s) => s.name === b.sink));

describe.each(BROKER_SINKS)('readiness follows the $sink broker', ({ sink, service, start, config, env }) => {
  let gateway: GatewayProcess | undefined;
  afterAll(async () => {
    await gateway?.stop();
    await stopService(service);
  });

  it('is unready while the broker is down and ready again after it is back', async () => {
    const statusPort = await freePort();
    const vars = await start();
    gateway = await GatewayProcess.start({ workers: 2, env, config: { status_port: statusPort, ...config(vars) } });
    await untilReadyz(statusPort, 200);
    // The first sink_health line may come before the lanes reported their sinks: wait for this one.
    const report = await gateway
      .waitForLog((l) => l.msg === 'sink_health' && String(l.healthy).split(',').includes(sink), 10_000)
      .catch(() => undefined);
    if (report === undefined) {
      console.warn(`${sink} does not report healthy() yet: /readyz cannot follow its broker; nothing to check`);
      return;
    }
    // Records keep flowing: a sink may only notice a lost broker when a publish fails.
    const vin = TEST_VINS[0];
    const vehicle = await gateway.vehicle(vin);
    const rand = seededRandom(5);
    let n = 0;
    const traffic = setInterval(
      () => vehicle.send(streamFrame({ topic: 'V', txid: `rz-${n++}`, payload: vehicleDataPayload(vin, 5, rand), vin })),
      200,
    );
    try {
      await stopService(service);
      expect(await untilReadyz(statusPort, 503, 30_000)).toContain(`sink ${sink} is not connected in worker`);
      await start();
      await untilReadyz(statusPort, 200, 60_000);
    } finally {
      clearInterval(traffic);
      vehicle.terminate();
    }
  });
});
