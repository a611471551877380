import { MetricsRecorder, RecordingMetrics } from '../../../shared/metrics';
import { recordMetadata } from '../../../shared/record';
import { createLogger } from '../../../shared/log';
import type { SinkRecord } from '../sink';
import { RedisSink } from './redis-sink';
import type { RedisCommands, RedisSinkOptions } from './redis-sink';
import { expiredLeaseBound, parseAddr, subscriberSetKey, tlsServerName, vinChannel } from './channels';
import { checkRedisBlock } from './index';
import { publishTimeoutMs, resolveRedisBlock } from './config-block';
import type { RedisBlock } from './config-block';
import { tlsOptions } from './redis-client';
import { keySlot } from './key-slot';

const logger = createLogger({ json: true, level: 'silent' });
const VIN = '5YJ3E1EA7KF100001';

function record(txid: string, vin = VIN, recordType = 'V'): SinkRecord {
  return { recordType, vin, txid, payload: Buffer.from(txid), metadata: recordMetadata(vin, 1, txid, recordType, ''), decoded: undefined };
}

/** Commands the test settles by hand, in the order they were issued. */
class FakeRedis implements RedisCommands {
  ready = true;
  readonly calls: { cmd: string; args: string[]; settle: (error?: Error, value?: string[]) => void }[] = [];
  closed = 0;
  publish(channel: string, payload: Buffer): Promise<unknown> {
    return this.call('publish', [channel, payload.toString()]) as Promise<unknown>;
  }
  purgeAndList(key: string, bound: string): Promise<string[]> {
    return this.call('purgeAndList', [key, bound]);
  }
  async close() {
    this.closed++;
  }
  private call(cmd: string, args: string[]): Promise<string[]> {
    return new Promise((resolve, reject) => this.calls.push({ cmd, args, settle: (e, v) => (e ? reject(e) : resolve(v ?? [])) }));
  }
}

const flush = () => new Promise((r) => setImmediate(r));

function counts(recorder: MetricsRecorder): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, labels, value] of recorder.drain().add) {
    if (!name.startsWith('redis_')) continue;
    const key = `${name}{${labels.join(',')}}`;
    out[key] = (out[key] ?? 0) + value;
  }
  return out;
}

function setup(options: Partial<RedisSinkOptions> = {}) {
  const redis = new FakeRedis();
  const recorder = new MetricsRecorder();
  const sink = new RedisSink(redis, logger, new RecordingMetrics(recorder), {
    namespace: 'ns',
    publishVinTopics: true,
    subscriberSetPrefix: 'sub',
    maxBufferedRecords: 100,
    orderPerVin: false,
    now: () => 1_700_000_000_999,
    ...options,
  });
  return { sink, redis, recorder };
}

describe('RedisSink', () => {
  it('purges expired leases, publishes to the subscriber channels then the VIN channel, and confirms after the last', async () => {
    const { sink, redis, recorder } = setup();
    const confirmed: boolean[] = [];
    expect(sink.produce(record('t1'), (d) => confirmed.push(d))).toEqual({ accepted: true });
    expect(redis.calls[0]).toMatchObject({ cmd: 'purgeAndList', args: [`sub_ns_V_{${VIN}}`, '(1700000000'] });
    redis.calls[0].settle(undefined, ['a', 'b']);
    await flush();
    redis.calls[1].settle();
    await flush();
    redis.calls[2].settle();
    await flush();
    expect(confirmed).toEqual([]);
    redis.calls[3].settle();
    await flush();
    expect(redis.calls.slice(1).map((c) => c.args[0])).toEqual(['a', 'b', `ns_V_{${VIN}}`]);
    expect(confirmed).toEqual([true]);
    expect(counts(recorder)).toEqual({ 'redis_publish_total{V}': 3, 'redis_publish_total_bytes{V}': 6, 'redis_reliable_ack_total{V}': 1 });
  });

  it('stops at the first failed PUBLISH: no confirmation of delivery, redis_err counted', async () => {
    const { sink, redis, recorder } = setup();
    const confirmed: boolean[] = [];
    sink.produce(record('t1'), (d) => confirmed.push(d));
    redis.calls[0].settle(undefined, ['a', 'b']);
    await flush();
    redis.calls[1].settle(new Error('READONLY'));
    await flush();
    expect(redis.calls).toHaveLength(2);
    expect(confirmed).toEqual([false]);
    expect(counts(recorder)).toEqual({ 'redis_err{V}': 1 });
  });

  it('a failed sorted-set step fails the record', async () => {
    const { sink, redis } = setup();
    const confirmed: boolean[] = [];
    sink.produce(record('t1'), (d) => confirmed.push(d));
    redis.calls[0].settle(new Error('WRONGTYPE'));
    await flush();
    expect(confirmed).toEqual([false]);
  });

  it('zero channels is a delivery (§9)', async () => {
    const { sink, redis } = setup({ publishVinTopics: false });
    const confirmed: boolean[] = [];
    sink.produce(record('t1'), (d) => confirmed.push(d));
    redis.calls[0].settle(undefined, []);
    await flush();
    expect(confirmed).toEqual([true]);
  });

  it('refuses while not connected, beyond the bound, and when closing', async () => {
    const { sink, redis } = setup({ subscriberSetPrefix: '', maxBufferedRecords: 1 });
    redis.ready = false;
    expect(sink.produce(record('t0'))).toEqual({ accepted: false, reason: 'redis: not connected to the server' });
    redis.ready = true;
    expect(sink.produce(record('t1')).accepted).toBe(true);
    expect(sink.produce(record('t2')).accepted).toBe(false);
    redis.calls[0].settle();
    const closed = sink.close();
    expect(sink.produce(record('t3'))).toEqual({ accepted: false, reason: 'redis: closing' });
    await closed;
    expect(redis.closed).toBe(1);
  });

  it('with orderPerVin, a VIN’s next record starts only after the previous one settled', async () => {
    const { sink, redis } = setup({ subscriberSetPrefix: '', orderPerVin: true });
    sink.produce(record('t1'));
    sink.produce(record('t2'));
    sink.produce(record('o1', 'OTHERVIN'));
    await flush();
    expect(redis.calls.map((c) => c.args[0])).toEqual([`ns_V_{${VIN}}`, 'ns_V_{OTHERVIN}']);
    redis.calls[0].settle();
    await flush();
    await flush();
    expect(redis.calls.map((c) => c.args[0])).toEqual([`ns_V_{${VIN}}`, 'ns_V_{OTHERVIN}', `ns_V_{${VIN}}`]);
  });
});

describe('redis names and config', () => {
  const base: RedisBlock = {
    addrs: ['127.0.0.1:6379'],
    username: '',
    password: 'file',
    db: 0,
    tls: null,
    override_tls_server_name: false,
    pool: {
      pool_size: 0,
      min_idle_conns: 0,
      max_idle_conns: 0,
      max_active_conns: 0,
      read_timeout: 0,
      write_timeout: 0,
      pool_timeout: 0,
      conn_max_idle_time: 0,
      conn_max_lifetime: 0,
    },
    publish_timeout: 0,
    cluster_mode: false,
    publish_vin_topics: true,
    subscriber_set_prefix: '',
    max_buffered_records: 10,
  };
  it('names channels and sets as upstream', () => {
    expect(vinChannel('tesla_telemetry', 'V', 'X')).toBe('tesla_telemetry_V_{X}');
    expect(subscriberSetKey('consumer', 'tesla_telemetry', 'V', 'X')).toBe('consumer_tesla_telemetry_V_{X}');
    expect(expiredLeaseBound(1_700_000_000_500)).toBe('(1700000000');
  });
  it('parses addresses and the TLS server name', () => {
    expect(parseAddr('[::1]:7000')).toEqual({ host: '::1', port: 7000 });
    expect(tlsServerName('rediss://cache.example:6380')).toBe('cache.example');
    expect(tlsServerName('cache.example:6380')).toBe('cache.example');
    expect(tlsServerName('cache.example')).toBe('cache.example');
  });
  it('REDIS_PASSWORD overrides the password when non-empty; publish_timeout is in nanoseconds', () => {
    expect(resolveRedisBlock(base, { REDIS_PASSWORD: 'env' }).password).toBe('env');
    expect(resolveRedisBlock(base, { REDIS_PASSWORD: '' }).password).toBe('file');
    expect(publishTimeoutMs(base)).toBe(5000);
    expect(publishTimeoutMs({ ...base, publish_timeout: 250_000_000 })).toBe(250);
  });
  it('startup checks with upstream texts', () => {
    expect(() => checkRedisBlock({ ...base, addrs: [] })).toThrow('redis addrs cannot be empty');
    expect(() => checkRedisBlock({ ...base, publish_vin_topics: false })).toThrow(
      'redis requires publish_vin_topics or subscriber_set_prefix to be set, otherwise no records are published',
    );
  });
  it('TLS files that cannot be read give upstream texts', () => {
    expect(() => tlsOptions({ ...base, tls: { server_cert: '/nonexistent.crt', server_key: '/nonexistent.key' } })).toThrow(
      /^can't properly load cert pair \(\/nonexistent.crt, \/nonexistent.key\): ENOENT/,
    );
    expect(() => tlsOptions({ ...base, tls: { ca_file: '/nonexistent-ca' } })).toThrow(
      /^can't properly load ca cert \(\/nonexistent-ca\): ENOENT/,
    );
    expect(tlsOptions({ ...base, tls: {}, override_tls_server_name: true, addrs: ['cache.example:6380'] })).toEqual({
      servername: 'cache.example',
    });
  });
});

describe('cluster key slot', () => {
  it('is CRC16-XMODEM mod 16384, of the hash tag when there is one', () => {
    expect(keySlot('123456789')).toBe(0x31c3);
    expect(keySlot('foo')).toBe(12182);
    expect(keySlot('tesla_telemetry_V_{5YJ3}')).toBe(keySlot('consumer_tesla_telemetry_V_{5YJ3}'));
    expect(keySlot('a{}b')).toBe(keySlot('a{}b'));
    expect(keySlot('{}x')).not.toBe(keySlot('x'));
  });
});
