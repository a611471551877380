/**
 * The Redis sink against a real redis-server (test/services/redis): VIN channels and subscriber
 * sets with leases (PROTOCOL.md §10.6), payload bytes as dispatched, reliable ACKs (§9) only after
 * every PUBLISH, refusal (no ACK) while the server is down, and the §10.6 startup errors.
 */
import { GatewayProcess, TEST_VINS } from '../harness/gateway-process';
import { startService, stopService } from '../harness/services';
import { RedisReader } from '../harness/redis-reader';
import { expectStartupFailure } from '../harness/startup-failure';
import { freePort } from '../../shared/free-port';
import { alertsPayload, errorsPayload, seededRandom, streamFrame, vehicleDataPayload } from '../../bench/vehicle/records';
import { decode, payloadTypeFor } from '../../shared/protobuf';

const VIN = TEST_VINS[0];
const rand = seededRandom(43);
const RUN = Date.now().toString(36);
let addr: string;
let reader: RedisReader;

beforeAll(async () => {
  addr = (await startService('redis')).REDIS_ADDR;
  reader = await RedisReader.open([addr], `rd${RUN}*`);
}, 120_000);
afterAll(async () => {
  await reader?.close();
  await stopService('redis');
});

function redisGateway(namespace: string, redis: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return GatewayProcess.start({
    dispatchThreads: 2,
    config: {
      namespace,
      records: { V: ['redis'], alerts: ['redis'], errors: ['redis'], connectivity: ['redis'] },
      reliable_ack_sources: { V: 'redis' },
      redis: { addrs: [addr], ...redis },
      ...extra,
    },
  });
}

describe('redis sink', () => {
  const ns = `rd${RUN}a`;
  let gateway: GatewayProcess;
  beforeAll(async () => {
    gateway = await redisGateway(ns, { publish_vin_topics: true, subscriber_set_prefix: 'sub' });
  });
  afterAll(async () => {
    await gateway?.stop();
  });

  it('publishes every record type on <namespace>_<type>_{<VIN>} with the dispatched payload', async () => {
    const vehicle = await gateway.vehicle(VIN);
    const sent = { alerts: alertsPayload(VIN, rand), errors: errorsPayload(VIN) };
    for (const [topic, payload] of Object.entries(sent)) {
      vehicle.send(streamFrame({ topic, txid: `rd-${topic}`, payload, vin: VIN }));
      expect(await vehicle.nextReply()).toMatchObject({ kind: 'ack', txid: `rd-${topic}` });
    }
    vehicle.send(streamFrame({ topic: 'V', txid: 'rd-V', payload: vehicleDataPayload(VIN, 10, rand), vin: VIN }));
    expect(await vehicle.nextReply()).toMatchObject({ kind: 'ack', txid: 'rd-V' });
    await reader.waitUntil(() => ['V', 'alerts', 'errors'].every((t) => reader.byChannel(`${ns}_${t}_{${VIN}}`).length === 1));
    for (const topic of ['alerts', 'errors'] as const)
      expect(decode(payloadTypeFor(topic)!, reader.byChannel(`${ns}_${topic}_{${VIN}}`)[0])).toEqual(
        decode(payloadTypeFor(topic)!, sent[topic]),
      );
    const v = decode(payloadTypeFor('V'), reader.byChannel(`${ns}_V_{${VIN}}`)[0]);
    expect(v).toMatchObject({ ok: true, message: { vin: VIN } });
    await vehicle.close();
    await reader.waitUntil(() => reader.byChannel(`${ns}_connectivity_{${VIN}}`).length === 2);
  });

  it('also publishes to the live subscriber channels of the sorted set, and purges expired leases', async () => {
    const key = `sub_${ns}_V_{${VIN}}`;
    const now = Math.floor(Date.now() / 1000);
    await reader.client.zadd(key, now + 3600, `${ns}-live`, now - 10, `${ns}-expired`);
    const vehicle = await gateway.vehicle(VIN);
    vehicle.send(streamFrame({ topic: 'V', txid: 'rd-sub', payload: vehicleDataPayload(VIN, 5, rand), vin: VIN }));
    expect(await vehicle.nextReply()).toMatchObject({ kind: 'ack', txid: 'rd-sub' });
    // The reliable ACK came after both PUBLISHes: the live channel already has the record.
    await reader.waitUntil(() => reader.byChannel(`${ns}-live`).length === 1);
    expect(reader.byChannel(`${ns}-expired`)).toEqual([]);
    expect(await reader.client.zrange(key, '0', '-1')).toEqual([`${ns}-live`]);
    await vehicle.close();
  });
});

describe('redis sink with the server down', () => {
  it('refuses records (no ACK) while redis-server is stopped, and ACKs again once it is back', async () => {
    const ns = `rd${RUN}d`;
    const gateway = await redisGateway(ns, { publish_vin_topics: true }, { gateway: { workers: 1, dispatch_threads: 1 } });
    try {
      const vehicle = await gateway.vehicle(VIN);
      await stopService('redis');
      await gateway.waitForLog((l) => l.msg === 'redis_connection_lost');
      vehicle.send(streamFrame({ topic: 'V', txid: 'rd-down', payload: vehicleDataPayload(VIN, 5, rand), vin: VIN }));
      await gateway.waitForLog((l) => l.msg === 'record_refused' && l.txid === 'rd-down' && l.dispatcher === 'redis');
      expect(vehicle.pendingReplies).toBe(0);
      await startService('redis');
      await gateway.waitForLog((l) => l.msg === 'redis_reconnected', 30_000);
      vehicle.send(streamFrame({ topic: 'V', txid: 'rd-down', payload: vehicleDataPayload(VIN, 5, rand), vin: VIN }));
      expect(await vehicle.nextReply()).toMatchObject({ kind: 'ack', txid: 'rd-down' });
      await vehicle.close();
    } finally {
      await gateway.stop();
    }
  }, 60_000);
});

describe('redis startup errors', () => {
  it('an unreachable server: redis_connect_error and a non-zero exit', async () => {
    const port = await freePort();
    const failure = await expectStartupFailure(
      { records: { V: ['redis'] }, redis: { addrs: [`127.0.0.1:${port}`], publish_vin_topics: true } },
      {},
      /redis_connect_error .*ECONNREFUSED/,
    );
    expect(failure.stderr).toMatch(/redis_connect_error .*ECONNREFUSED/);
    expect(failure.listened).toBe(false);
    expect(failure.exitCode).not.toBe(0);
  });

  it('refused credentials: redis_connect_error with the server’s answer', async () => {
    const failure = await expectStartupFailure(
      { records: { V: ['redis'] }, redis: { addrs: [addr], username: 'nobody', password: 'wrong', publish_vin_topics: true } },
      {},
      /redis_connect_error WRONGPASS/,
    );
    expect(failure.stderr).toMatch(/redis_connect_error WRONGPASS/);
    expect(failure.listened).toBe(false);
  });

  it('neither publish_vin_topics nor subscriber_set_prefix: upstream text', async () => {
    const failure = await expectStartupFailure(
      { records: { V: ['redis'] }, redis: { addrs: [addr] } },
      {},
      /redis requires publish_vin_topics or subscriber_set_prefix to be set/,
    );
    expect(failure.stderr).toMatch(
      /redis requires publish_vin_topics or subscriber_set_prefix to be set, otherwise no records are published/,
    );
    expect(failure.listened).toBe(false);
  });
});

describe('redis sink on a 3-node Redis Cluster', () => {
  it('reads the subscriber set on the node of its slot and publishes to live channels and the VIN channel', async () => {
    const addrs = (await startService('redis-cluster')).REDIS_CLUSTER_ADDRS.split(',');
    const cluster = await RedisReader.open(addrs, `rc${RUN}*`);
    const ns = `rc${RUN}`;
    const gateway = await GatewayProcess.start({
      config: {
        namespace: ns,
        records: { V: ['redis'] },
        reliable_ack_sources: { V: 'redis' },
        redis: { addrs, subscriber_set_prefix: 'sub', publish_vin_topics: true },
      },
    });
    try {
      expect(gateway.logs.find((l) => l.msg === 'redis_registered')).toMatchObject({ cluster: true });
      const now = Math.floor(Date.now() / 1000);
      await cluster.client.zadd(`sub_${ns}_V_{${VIN}}`, now + 3600, `${ns}-live`, now - 10, `${ns}-expired`);
      const vehicle = await gateway.vehicle(VIN);
      vehicle.send(streamFrame({ topic: 'V', txid: 'rc-1', payload: vehicleDataPayload(VIN, 5, rand), vin: VIN }));
      expect(await vehicle.nextReply()).toMatchObject({ kind: 'ack', txid: 'rc-1' });
      await cluster.waitUntil(() => cluster.byChannel(`${ns}-live`).length === 1 && cluster.byChannel(`${ns}_V_{${VIN}}`).length === 1);
      expect(cluster.byChannel(`${ns}-expired`)).toEqual([]);
      expect(await cluster.client.zrange(`sub_${ns}_V_{${VIN}}`, '0', '-1')).toEqual([`${ns}-live`]);
      await vehicle.close();
    } finally {
      await gateway.stop();
      await cluster.close();
      await stopService('redis-cluster');
    }
  }, 120_000);
});
