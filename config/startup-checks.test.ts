import { ConfigError, loadConfig, type GatewayConfig } from './index';
import { checkTrackedVins } from './checks';
import { FAKE_KNOWN_SINKS, FAKE_SINK_BLOCKS, VALID_TLS } from './fake-sink-blocks.test-fixture';

function load(json: Record<string, unknown>): GatewayConfig {
  return loadConfig({ json: { tls: VALID_TLS, ...json }, env: {}, sinkBlocks: FAKE_SINK_BLOCKS, knownSinks: FAKE_KNOWN_SINKS });
}

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

const KAFKA = { 'bootstrap.servers': 'k:9092' };

describe('TLS (§2.2, D1)', () => {
  const TLS_EMPTY = 'tls config is empty - telemetry server is mTLS only, make sure to provide certificates in the config';

  test.each([[{}], [{ tls: null }]])('absent tls %j ⇒ upstream text', (json) => {
    const error = errorOf(() => loadConfig({ json, env: {}, sinkBlocks: FAKE_SINK_BLOCKS, knownSinks: FAKE_KNOWN_SINKS }));
    expect(error.code).toBe('CONFIG_TLS_MISSING');
    expect(error.message).toBe(TLS_EMPTY);
  });

  test('empty ca_file ⇒ D1 error: required, no bundled CA, where Tesla publishes its bundle', () => {
    const error = errorOf(() => load({ tls: { ...VALID_TLS, ca_file: '' } }));
    expect(error.code).toBe('CONFIG_TLS_CA_REQUIRED');
    expect(error.key).toBe('tls.ca_file');
    expect(error.message).toMatch(/^config key "tls\.ca_file" is required: this gateway bundles no Tesla CA certificates/);
    expect(error.message).toContain('https://github.com/teslamotors/fleet-telemetry');
    expect(error.message).toContain('prod_ca.crt');
  });

  test('use_default_eng_ca: true ⇒ error naming the key', () => {
    const error = errorOf(() => load({ use_default_eng_ca: true }));
    expect(error.code).toBe('CONFIG_ENG_CA_UNSUPPORTED');
    expect(error.message).toMatch(/^config key "use_default_eng_ca": true is not supported/);
  });

  test('server cert and key are required', () => {
    expect(errorOf(() => load({ tls: { ...VALID_TLS, server_cert: '' } })).message).toMatch(/^config key "tls\.server_cert" is required/);
    expect(errorOf(() => load({ tls: { ...VALID_TLS, server_key: '' } })).message).toMatch(/^config key "tls\.server_key" is required/);
  });
});

describe('reliable_ack_sources (§9)', () => {
  test('a valid mapping tells each sink its record types', () => {
    const config = load({
      kafka: KAFKA,
      mqtt: { broker: 'm:1883' },
      records: { V: ['kafka', 'logger'], errors: ['kafka'], alerts: ['mqtt', 'kafka'] },
      reliable_ack_sources: { V: 'kafka', errors: 'kafka', alerts: 'mqtt' },
    });
    expect(config.reliableAckBySink).toEqual({ kafka: ['V', 'errors'], mqtt: ['alerts'] });
  });

  test.each([
    [
      { records: { connectivity: ['kafka'] }, reliable_ack_sources: { connectivity: 'kafka' } },
      'reliable ack not needed for txType: connectivity',
    ],
    [{ records: { V: ['logger'] }, reliable_ack_sources: { V: 'logger' } }, 'logger cannot be configured as reliable ack for record: V'],
    [
      { records: { V: ['kafka'] }, reliable_ack_sources: { error: 'kafka' } },
      'kafka cannot be configured as reliable ack for record: error since no record mapping exists',
    ],
    [
      { records: { V: ['kafka'] }, reliable_ack_sources: { V: 'pubsub' } },
      'pubsub cannot be configured as reliable ack for record: V. Valid datastores configured [kafka]',
    ],
    [
      { records: { V: ['kafka', 'logger', 'mqtt'] }, reliable_ack_sources: { V: 'redis' } },
      'redis cannot be configured as reliable ack for record: V. Valid datastores configured [kafka mqtt]',
    ],
    [
      { records: { V: ['logger'] }, reliable_ack_sources: { V: 'kafka' } },
      'kafka cannot be configured as reliable ack for record: V. Valid datastores configured []',
    ],
  ])('%j ⇒ %s', (json, message) => {
    const error = errorOf(() => load({ kafka: KAFKA, mqtt: {}, ...json }));
    expect(error.code).toBe('CONFIG_RELIABLE_ACK');
    expect(error.message).toBe(message);
  });
});

describe('records (§12.3)', () => {
  test.each([
    ['kinesis', 'expected Kinesis to be configured'],
    ['kafka', 'expected Kafka to be configured'],
    ['pubsub', 'expected Pubsub to be configured'],
    ['zmq', 'expected ZMQ to be configured'],
    ['mqtt', 'expected MQTT to be configured'],
    ['redis', 'expected Redis to be configured'],
  ])('%s used without its block ⇒ %s', (sink, message) => {
    const error = errorOf(() => load({ records: { V: [sink] } }));
    expect(error.code).toBe('CONFIG_SINK_NOT_CONFIGURED');
    expect(error.key).toBe(sink);
    expect(error.message).toBe(message);
  });

  test('missing blocks are reported in the order of the sink blocks (kafka, pubsub, kinesis, …)', () => {
    expect(errorOf(() => load({ records: { V: ['redis', 'mqtt'], alerts: ['kinesis', 'pubsub'] } })).message).toBe(
      'expected Pubsub to be configured',
    );
  });

  test('a null block counts as absent', () => {
    expect(errorOf(() => load({ zmq: null, records: { V: ['zmq'] } })).message).toBe('expected ZMQ to be configured');
  });

  test('an optional block (the logger) may be absent', () => {
    expect(load({ records: { V: ['logger'] } }).usedSinks).toEqual(['logger']);
  });

  test('an empty list ⇒ upstream text', () => {
    const error = errorOf(() => load({ records: { V: ['logger'], alerts: [] } }));
    expect(error.code).toBe('CONFIG_DISPATCH_RULE');
    expect(error.message).toBe('unknown_dispatch_rule record: alerts, dispatchRule:[]');
  });

  test('a null list is an empty list (Go zero value)', () => {
    expect(errorOf(() => load({ records: { V: null } })).message).toBe('unknown_dispatch_rule record: V, dispatchRule:[]');
  });

  test('an unknown dispatcher ⇒ D8 error with the known dispatchers', () => {
    const error = errorOf(() => load({ records: { V: ['logger', 'foo'] } }));
    expect(error.code).toBe('CONFIG_DISPATCH_RULE');
    expect(error.key).toBe('records.V');
    expect(error.message).toBe(
      'unknown_dispatch_rule record: V, dispatchRule:[logger foo]: unknown dispatcher "foo" in config key "records.V" ' +
        '(known dispatchers: kafka, pubsub, kinesis, zmq, mqtt, redis, logger; gateway/DEVIATIONS.md D8)',
    );
  });

  test('checks run in upstream order: reliable acks, sink blocks, dispatch rules, then TLS', () => {
    const all = { records: { V: ['kinesis'], alerts: ['foo'] }, reliable_ack_sources: { connectivity: 'kafka' } };
    expect(errorOf(() => loadConfig({ json: all, env: {}, sinkBlocks: FAKE_SINK_BLOCKS, knownSinks: FAKE_KNOWN_SINKS })).code).toBe(
      'CONFIG_RELIABLE_ACK',
    );
    const noAck = { records: all.records };
    expect(errorOf(() => loadConfig({ json: noAck, env: {}, sinkBlocks: FAKE_SINK_BLOCKS, knownSinks: FAKE_KNOWN_SINKS })).code).toBe(
      'CONFIG_SINK_NOT_CONFIGURED',
    );
    const noSink = { records: { alerts: ['foo'] } };
    expect(errorOf(() => loadConfig({ json: noSink, env: {}, sinkBlocks: FAKE_SINK_BLOCKS, knownSinks: FAKE_KNOWN_SINKS })).code).toBe(
      'CONFIG_DISPATCH_RULE',
    );
    expect(errorOf(() => loadConfig({ json: {}, env: {}, sinkBlocks: FAKE_SINK_BLOCKS, knownSinks: FAKE_KNOWN_SINKS })).code).toBe(
      'CONFIG_TLS_MISSING',
    );
  });
});

describe('rate_limit (§8, D3)', () => {
  test('disabled or absent ⇒ observe only, 100 per 60 s', () => {
    expect(load({}).rateLimit).toEqual({ enabled: false, limit: 100, intervalMs: 60_000 });
    expect(load({ rate_limit: { enabled: false, message_limit: 0 } }).rateLimit).toEqual({
      enabled: false,
      limit: 100,
      intervalMs: 60_000,
    });
  });

  test('message_interval_time is honoured, in seconds', () => {
    expect(load({ rate_limit: { enabled: true, message_limit: 10, message_interval_time: 2 } }).rateLimit).toEqual({
      enabled: true,
      limit: 10,
      intervalMs: 2000,
    });
  });

  test('the hidden MessageIntervalTimeSecond (ns) wins when non-zero', () => {
    const rl = { enabled: true, message_limit: 10, message_interval_time: 30, MessageIntervalTimeSecond: 1_500_000 };
    expect(load({ rate_limit: rl }).rateLimit).toEqual({ enabled: true, limit: 10, intervalMs: 1.5 });
  });

  test.each([
    [{ enabled: true, message_limit: 0, message_interval_time: 30 }, 'rate_limit.message_limit'],
    [{ enabled: true, message_limit: -1, message_interval_time: 30 }, 'rate_limit.message_limit'],
    [{ enabled: true, message_limit: 10 }, 'rate_limit.message_interval_time'],
    [{ enabled: true, message_limit: 10, message_interval_time: -5 }, 'rate_limit.message_interval_time'],
    [
      { enabled: true, message_limit: 10, message_interval_time: 30, MessageIntervalTimeSecond: -1 },
      'rate_limit.MessageIntervalTimeSecond',
    ],
  ])('%j ⇒ startup error naming %s', (rl, key) => {
    const error = errorOf(() => load({ rate_limit: rl }));
    expect(error.code).toBe('CONFIG_RATE_LIMIT');
    expect(error.key).toBe(key);
    expect(error.message).toMatch(new RegExp(`^config key "${key.replace('.', '\\.')}": must be greater than 0 `));
  });
});

describe('vins_signal_tracking_enabled (§12.2)', () => {
  const vins = (n: number): string[] => Array.from({ length: n }, (_, i) => `VIN${i}`);

  test('20 unique VINs (duplicates not counted) are accepted', () => {
    expect(load({ vins_signal_tracking_enabled: [...vins(20), 'VIN0', 'VIN1'] }).vins_signal_tracking_enabled).toHaveLength(20);
  });

  test('21 unique VINs ⇒ upstream text', () => {
    const error = errorOf(() => load({ vins_signal_tracking_enabled: vins(21) }));
    expect(error.code).toBe('CONFIG_VINS_LIMIT');
    expect(error.message).toBe('set the value of `vins_signal_tracking_enabled` less than 20 unique vins');
  });

  test('the limit is part of the text (upstream test lowers it to 2)', () => {
    expect(() => checkTrackedVins(['a', 'b', 'c'], 2)).toThrow('set the value of `vins_signal_tracking_enabled` less than 2 unique vins');
  });
});

describe('log_level (§11.6)', () => {
  test.each([
    ['info', 'info'],
    ['DEBUG', 'debug'],
    ['Warning', 'warn'],
    ['warn', 'warn'],
    ['panic', 'fatal'],
    ['trace', 'trace'],
  ])('%s ⇒ %s without warnings', (value, level) => {
    const config = load({ log_level: value });
    expect(config.logLevel).toBe(level);
    expect(config.warnings).toEqual([]);
  });

  test.each(['verbose', '', ' info'])('%j ⇒ info plus an invalid_level warning, not fatal', (value) => {
    const config = load({ log_level: value });
    expect(config.logLevel).toBe('info');
    expect(config.log_level).toBe(value);
    expect(config.warnings).toEqual([
      { msg: 'invalid_level', error: `not a valid log level: ${JSON.stringify(value)}`, fields: { log_level: value } },
    ]);
  });
});
