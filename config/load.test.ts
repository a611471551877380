import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, type GatewayConfig } from './index';
import { FAKE_KNOWN_SINKS, FAKE_SINK_BLOCKS, VALID_TLS } from './fake-sink-blocks.test-fixture';

const EXAMPLES = join(__dirname, 'examples');

function load(json: unknown, env: NodeJS.ProcessEnv = {}): GatewayConfig {
  return loadConfig({ json, env, sinkBlocks: FAKE_SINK_BLOCKS, knownSinks: FAKE_KNOWN_SINKS });
}

function loadText(text: string, env: NodeJS.ProcessEnv = {}): GatewayConfig {
  const dir = mkdtempSync(join(tmpdir(), 'config-test-'));
  const path = join(dir, 'config.json');
  writeFileSync(path, text);
  return loadConfig({ path, env, sinkBlocks: FAKE_SINK_BLOCKS, knownSinks: FAKE_KNOWN_SINKS });
}

/** The ConfigError thrown by `fn` (fails the test when nothing or something else is thrown). */
function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('upstream examples load unchanged', () => {
  test('upstream-minimal.json (§12.5)', () => {
    const config = loadConfig({
      path: join(EXAMPLES, 'upstream-minimal.json'),
      env: {},
      sinkBlocks: FAKE_SINK_BLOCKS,
      knownSinks: FAKE_KNOWN_SINKS,
    });
    expect(config.host).toBe('0.0.0.0');
    expect(config.port).toBe(443);
    expect(config.namespace).toBe('tesla_telemetry');
    expect(config.json_log_enable).toBe(true);
    expect(config.logLevel).toBe('info');
    expect(config.warnings).toEqual([]);
    expect(config.records).toEqual({ alerts: ['logger'], errors: ['logger'], V: ['logger'], connectivity: ['logger'] });
    expect(config.monitoring).toEqual({
      prometheus_metrics_port: 9090,
      prometheus_metrics_host: '127.0.0.1',
      profiler_port: 4269,
      profiler_host: '127.0.0.1',
      profiling_path: '/tmp/trace.out',
      statsd: null,
    });
    expect(config.rateLimit).toEqual({ enabled: true, limit: 1000, intervalMs: 30_000 });
    expect(config.rate_limit.MessageIntervalTimeSecond).toBe(0);
    expect(config.airbrake).toBeNull();
    // The logger block is optional (§10.7): absent ⇒ its defaults.
    expect(config.configuredSinks).toEqual([]);
    expect(config.sinks.logger).toEqual({ verbose: false });
    expect(config.usedSinks).toEqual(['logger']);
    expect(config.source).toBe(join(EXAMPLES, 'upstream-minimal.json'));
  });

  test('upstream-integration.json (INTEGRATION-TESTS.md §1.4)', () => {
    const config = loadConfig({
      path: join(EXAMPLES, 'upstream-integration.json'),
      env: {},
      sinkBlocks: FAKE_SINK_BLOCKS,
      knownSinks: FAKE_KNOWN_SINKS,
    });
    expect(config.host).toBe('app');
    expect(config.port).toBe(4443);
    expect(config.status_port).toBe(8080);
    expect(config.reliable_ack_sources).toEqual({ V: 'kafka' });
    expect(config.reliableAckBySink).toEqual({ kafka: ['V'] });
    expect(config.sinks.kafka).toEqual({
      'bootstrap.servers': 'kafka:9092',
      'queue.buffering.max.messages': 1000000,
      'queue.buffering.max.ms': 50,
      'compression.type': 'gzip',
      'go.delivery.reports': true,
    });
    expect(config.sinks.kinesis).toEqual({
      max_retries: 3,
      override_host: 'http://kinesis:4566',
      streams: { V: 'test_V', connectivity: 'test_connectivity' },
    });
    expect(config.sinks.mqtt).toMatchObject({ broker: 'mqtt:1883', qos: 1, publish_timeout_ms: 1000 });
    expect(config.sinks.redis).toMatchObject({ addrs: ['redis:6379'], publish_vin_topics: true, subscriber_set_prefix: 'consumer' });
    expect(config.configuredSinks).toEqual(['kafka', 'pubsub', 'kinesis', 'zmq', 'mqtt', 'redis']);
    expect(config.usedSinks).toEqual(['kafka', 'kinesis', 'pubsub', 'logger', 'mqtt', 'zmq', 'redis']);
    expect(config.vins_signal_tracking_enabled).toEqual(['device-1']);
    expect(config.monitoring?.prometheus_metrics_host).toBe('0.0.0.0');
    expect(config.rateLimit).toEqual({ enabled: true, limit: 1000, intervalMs: 30_000 });
    expect(config.airbrake).toMatchObject({ host: 'http://errbit:80', project_id: 1, project_key: 'test1', environment: 'integration' });
    expect(config.tls.ca_file).toBe('/etc/tesla/certs/server/vehicle_device.CA.cert');
  });
});

describe('decoding like Go encoding/json (§12.1)', () => {
  test('keys match case-insensitively, the hidden rate-limit key included', () => {
    const config = load({
      HOST: '127.0.0.1',
      Port: 4443,
      TLS: { SERVER_CERT: 'a.crt', Server_Key: 'a.key', ca_FILE: 'ca.crt' },
      Rate_Limit: { ENABLED: true, message_LIMIT: 5, messageintervaltimesecond: 2_000_000_000 },
      RECORDS: { V: ['logger'] },
      Monitoring: { STATSD: { Host: '127.0.0.1:8125' } },
    });
    expect(config.host).toBe('127.0.0.1');
    expect(config.port).toBe(4443);
    expect(config.tls).toEqual({ server_cert: 'a.crt', server_key: 'a.key', ca_file: 'ca.crt' });
    expect(config.rateLimit).toEqual({ enabled: true, limit: 5, intervalMs: 2000 });
    expect(config.monitoring?.statsd).toEqual({ host: '127.0.0.1:8125', prefix: '', flush_period: 100 });
  });

  test('unknown keys are ignored without any output (keys known to do nothing become warnings)', () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const config = load({ tls: VALID_TLS, reliable_ack: true, no_such_key: { deep: 1 }, monitoring: { statsd: { sample_rate: 1 } } });
      expect(config).not.toHaveProperty('no_such_key');
      expect(config.warnings.map((w) => w.fields.key)).toEqual(['reliable_ack', 'monitoring.statsd.sample_rate']);
      expect(log).not.toHaveBeenCalled();
      expect(warn).not.toHaveBeenCalled();
    } finally {
      log.mockRestore();
      warn.mockRestore();
    }
  });

  test('the last of duplicate keys wins, null leaves the default', () => {
    const config = loadText(`{"port": 1, "PORT": 2, "host": null, "tls": ${JSON.stringify(VALID_TLS)}}`);
    expect(config.port).toBe(2);
    expect(config.host).toBe('');
  });

  test('only the first JSON value of the file is read', () => {
    const config = loadText(`{"port": 7, "tls": ${JSON.stringify(VALID_TLS)}} {"port": 8} trailing garbage`);
    expect(config.port).toBe(7);
  });

  test.each([
    [{ port: 'abc' }, 'config key "port": expected an integer, got "abc"'],
    [{ port: 1.5 }, 'config key "port": expected an integer, got 1.5'],
    [{ json_log_enable: 'true' }, 'config key "json_log_enable": expected a boolean, got "true"'],
    [{ records: { V: 'kafka' } }, 'config key "records.V": expected an array of strings, got "kafka"'],
    [{ records: { V: ['kafka', 3] } }, 'config key "records.V[1]": expected a string, got 3'],
    [{ tls: 'yes' }, 'config key "tls": expected an object, got "yes"'],
    [{ rate_limit: { message_limit: [] } }, 'config key "rate_limit.message_limit": expected an integer, got an array'],
    [{ mqtt: { qos: '1' } }, 'config key "mqtt.qos": expected an integer, got "1"'],
    [{ kafka: ['a'] }, 'config key "kafka": expected an object, got an array'],
    [{ kafka: { 'go.delivery.reports': 'no' } }, 'config key "kafka.go.delivery.reports": expected a boolean, got "no"'],
  ])('type error %j names the key', (json, message) => {
    const error = errorOf(() => load({ tls: VALID_TLS, ...json }));
    expect(error.code).toBe('CONFIG_TYPE');
    expect(error.message).toBe(message);
  });

  test('integer literals in exponent or decimal form are rejected as Go does', () => {
    expect(errorOf(() => loadText('{"port": 1e3}')).message).toBe('config key "port": expected an integer, got 1e3');
    expect(errorOf(() => loadText('{"port": 443.0}')).message).toBe('config key "port": expected an integer, got 443.0');
  });

  test('schema formats are checked after decoding and name the key', () => {
    const error = errorOf(() => load({ tls: VALID_TLS, port: 70000 }));
    expect(error.code).toBe('CONFIG_INVALID_VALUE');
    expect(error.key).toBe('port');
    expect(error.message).toMatch(/^config key "port": ports must be within range 0 - 65535/);
    const qos = errorOf(() => load({ tls: VALID_TLS, mqtt: { qos: 300 } }));
    expect(qos.message).toMatch(/^config key "mqtt\.qos": must be an integer 0-255/);
    expect(errorOf(() => load({ tls: VALID_TLS, gateway: { dispatch_threads: 0 } })).message).toMatch(
      /^config key "gateway\.dispatch_threads": must be an integer of at least 1/,
    );
    // Frames up to 1,000,000 bytes are records; the message bound must leave room for upstream's ERROR answer.
    expect(errorOf(() => load({ tls: VALID_TLS, gateway: { max_websocket_message_bytes: 1_000_000 } })).message).toMatch(
      /^config key "gateway\.max_websocket_message_bytes": must be an integer above 1000000/,
    );
  });

  test('syntax errors carry Go text, the path and the position', () => {
    const error = errorOf(() => loadText('{"host": "127.0.0.1", "port": "",}'));
    expect(error.code).toBe('CONFIG_JSON_SYNTAX');
    expect(error.message).toMatch(
      /^config file \S+config\.json: invalid character '}' looking for beginning of object key string \(line 1, column 34\)$/,
    );
  });

  test('a missing file is reported with Go wording', () => {
    const error = errorOf(() => loadConfig({ path: '/nonexistent/config.json', env: {}, sinkBlocks: [], knownSinks: [] }));
    expect(error.code).toBe('CONFIG_FILE_READ');
    expect(error.message).toBe('cannot read config file: open /nonexistent/config.json: no such file or directory');
  });

  test('a top-level value that is not an object is a type error', () => {
    expect(errorOf(() => loadText('[1, 2]')).message).toBe('config: expected a JSON object at the top level, got an array');
  });

  test('kafka passes through as librdkafka properties: exact keys, numbers truncated (§10.1)', () => {
    const config = load({
      tls: VALID_TLS,
      KAFKA: { 'bootstrap.servers': 'b:9092', 'Linger.MS': 0.9, 'batch.size': -2.7, 'go.delivery.reports': false },
    });
    expect(config.sinks.kafka).toEqual({ 'bootstrap.servers': 'b:9092', 'Linger.MS': 0, 'batch.size': -2, 'go.delivery.reports': false });
    expect(config.configuredSinks).toEqual(['kafka']);
  });
});

describe('environment', () => {
  test('FLEET_TELEMETRY_* overrides our additions and upstream keys', () => {
    const config = load(
      { tls: VALID_TLS, gateway: { workers: 2 } },
      { FLEET_TELEMETRY_WORKERS: '3', FLEET_TELEMETRY_PORT: '8443', FLEET_TELEMETRY_JSON_LOG_ENABLE: 'T' },
    );
    expect(config.gateway.workers).toBe(3);
    expect(config.workerCount).toBe(3);
    expect(config.port).toBe(8443);
    expect(config.json_log_enable).toBe(true);
    expect(config.gateway).toEqual({
      workers: 3,
      dispatch_threads: 1,
      batch_max_frames: 256,
      batch_max_bytes: 1_048_576,
      max_inflight_frames_per_connection: 256,
      max_websocket_message_bytes: 67_108_864,
      drain_timeout_ms: 10_000,
      reload_spread_ms: 30_000,
      watch: false,
    });
  });

  test('an empty FLEET_TELEMETRY_* variable counts as unset', () => {
    expect(load({ tls: VALID_TLS, port: 5 }, { FLEET_TELEMETRY_PORT: '' }).port).toBe(5);
  });

  test('workers 0 resolves to the available parallelism', () => {
    expect(load({ tls: VALID_TLS }).workerCount).toBeGreaterThanOrEqual(1);
  });

  test('a bad value names the variable', () => {
    const error = errorOf(() => load({ tls: VALID_TLS }, { FLEET_TELEMETRY_WORKERS: 'many' }));
    expect(error.code).toBe('CONFIG_ENV');
    expect(error.key).toBe('FLEET_TELEMETRY_WORKERS');
    expect(error.message).toBe('environment variable FLEET_TELEMETRY_WORKERS: expected an integer, got "many"');
  });

  test('a sink variable refines a configured block only', () => {
    const withBlock = load({ tls: VALID_TLS, redis: { addrs: ['r:6379'], password: 'file' } }, { REDIS_PASSWORD: 'env' });
    expect(withBlock.sinks.redis).toMatchObject({ password: 'env' });
    const without = load({ tls: VALID_TLS }, { REDIS_PASSWORD: 'env' });
    expect(without.configuredSinks).toEqual([]);
    expect(without.sinks.redis).toMatchObject({ password: '' });
  });

  test('AIRBRAKE_PROJECT_KEY overrides whenever set, even empty (§11.7)', () => {
    expect(load({ tls: VALID_TLS, airbrake: { project_key: 'file' } }, { AIRBRAKE_PROJECT_KEY: '' }).airbrake?.project_key).toBe('');
    expect(load({ tls: VALID_TLS, airbrake: { project_key: 'file' } }).airbrake?.project_key).toBe('file');
  });

  test.each([
    ['1', true],
    ['t', true],
    ['TRUE', true],
    ['True', true],
    ['0', false],
    ['F', false],
    ['false', false],
  ])('SUPPRESS_TLS_HANDSHAKE_ERROR_LOGGING=%s ⇒ %s', (value, expected) => {
    expect(load({ tls: VALID_TLS }, { SUPPRESS_TLS_HANDSHAKE_ERROR_LOGGING: value }).suppressTlsHandshakeErrorLogging).toBe(expected);
  });

  test.each(['', 'yes', 'on', ' true'])('SUPPRESS_TLS_HANDSHAKE_ERROR_LOGGING=%j aborts startup naming the variable', (value) => {
    const error = errorOf(() => load({ tls: VALID_TLS }, { SUPPRESS_TLS_HANDSHAKE_ERROR_LOGGING: value }));
    expect(error.code).toBe('CONFIG_ENV');
    expect(error.message).toContain('SUPPRESS_TLS_HANDSHAKE_ERROR_LOGGING');
  });

  test('unset ⇒ false', () => {
    expect(load({ tls: VALID_TLS }).suppressTlsHandshakeErrorLogging).toBe(false);
  });
});

describe('the result', () => {
  test('is deeply frozen', () => {
    const config = load({ tls: VALID_TLS, records: { V: ['logger'] } });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.records.V)).toBe(true);
    expect(Object.isFrozen(config.gateway)).toBe(true);
    expect(Object.isFrozen(config.sinks.logger)).toBe(true);
  });

  test('survives JSON (workers receive it through the environment)', () => {
    const config = loadConfig({
      path: join(EXAMPLES, 'upstream-integration.json'),
      env: {},
      sinkBlocks: FAKE_SINK_BLOCKS,
      knownSinks: FAKE_KNOWN_SINKS,
    });
    expect(JSON.parse(JSON.stringify(config))).toEqual(config);
  });

  test('vins_signal_tracking_enabled keeps unique values in order', () => {
    expect(load({ tls: VALID_TLS, vins_signal_tracking_enabled: ['b', 'a', 'b'] }).vins_signal_tracking_enabled).toEqual(['b', 'a']);
  });

  test('an absent monitoring block is null (no metrics backend, §11.1)', () => {
    expect(load({ tls: VALID_TLS }).monitoring).toBeNull();
  });
});
