import type { JetStreamManager } from 'nats';
import { ensureStream, streamConfig, streamSubjects } from './stream-setup';
import type { JetStreamBlock } from './config-block';

const js: JetStreamBlock = {
  enabled: true,
  stream: 'TELEMETRY',
  create_stream: false,
  subjects: [],
  retention: 'limits',
  storage: 'file',
  max_age_ms: 60_000,
  max_msgs: 10,
  max_bytes: -1,
  discard: 'new',
  publish_timeout_ms: 5_000,
};

function manager(exists: boolean) {
  const added: unknown[] = [];
  const notFound = Object.assign(new Error('404'), { api_error: { code: 404, err_code: 10059, description: 'stream not found' } });
  const jsm = {
    streams: {
      info: async () => {
        if (!exists) throw notFound;
        return {};
      },
      add: async (cfg: unknown) => added.push(cfg),
    },
  } as unknown as JetStreamManager;
  return { jsm, added };
}

describe('JetStream stream setup', () => {
  it('subjects: configured, else <prefix>.>, else one per record type', () => {
    expect(streamSubjects({ ...js, subjects: ['a.>'] }, 'p', ['V'])).toEqual(['a.>']);
    expect(streamSubjects(js, 'tesla', ['V'])).toEqual(['tesla.>']);
    expect(streamSubjects(js, '', ['V', 'alerts'])).toEqual(['V.>', 'alerts.>']);
  });

  it('maps the block to a stream config (max_age in nanoseconds)', () => {
    expect(streamConfig(js, ['t.>'])).toEqual({
      name: 'TELEMETRY',
      subjects: ['t.>'],
      retention: 'limits',
      storage: 'file',
      discard: 'new',
      max_msgs: 10,
      max_bytes: -1,
      max_age: 60_000_000_000,
    });
  });

  it('uses an existing stream as it is', async () => {
    const { jsm, added } = manager(true);
    expect(await ensureStream(jsm, { ...js, create_stream: true }, ['t.>'])).toBe(false);
    expect(added).toEqual([]);
  });

  it('a missing stream: created when create_stream is on, else a ConfigError naming the key', async () => {
    const on = manager(false);
    expect(await ensureStream(on.jsm, { ...js, create_stream: true }, ['t.>'])).toBe(true);
    expect(on.added).toHaveLength(1);
    await expect(ensureStream(manager(false).jsm, js, ['t.>'])).rejects.toMatchObject({ key: 'nats.jetstream.stream' });
  });
});
