import { loadConfig } from './index';
import { FAKE_KNOWN_SINKS, FAKE_SINK_BLOCKS, VALID_TLS } from './fake-sink-blocks.test-fixture';
import { UNUSED_KEY_WARNING } from './unused-keys';
import type { SinkConfigBlock } from './types';

const BLOCKS: SinkConfigBlock[] = FAKE_SINK_BLOCKS.map((b) =>
  b.key === 'pubsub' ? { ...b, unusedKeys: { reliable_ack: 'no effect: use reliable_ack_sources' } } : b,
);

function warningsOf(json: unknown): Array<{ key: unknown; error: string }> {
  return loadConfig({ json, env: {}, sinkBlocks: BLOCKS, knownSinks: FAKE_KNOWN_SINKS })
    .warnings.filter((w) => w.msg === UNUSED_KEY_WARNING)
    .map((w) => ({ key: w.fields.key, error: w.error }));
}

describe('warnings for keys that have no effect', () => {
  test('reliable_ack names reliable_ack_sources as its replacement, in any key case', () => {
    const warnings = warningsOf({ tls: VALID_TLS, Reliable_Ack: true });
    expect(warnings).toEqual([{ key: 'reliable_ack', error: expect.stringContaining('reliable_ack_sources') }]);
    expect(warnings[0]?.error).toMatch(/^config key "reliable_ack" has no effect/);
  });

  test("statsd sample_rate and a sink's own unused key (pubsub.reliable_ack)", () => {
    const keys = warningsOf({
      tls: VALID_TLS,
      monitoring: { statsd: { host: '127.0.0.1:8125', sample_rate: 1 } },
      pubsub: { gcp_project_id: 'p', reliable_ack: true },
    }).map((w) => w.key);
    expect(keys).toEqual(['monitoring.statsd.sample_rate', 'pubsub.reliable_ack']);
  });

  test('no warning for a config without them, nor for a null value', () => {
    expect(warningsOf({ tls: VALID_TLS, reliable_ack: null, reliable_ack_sources: {} })).toEqual([]);
  });
});
