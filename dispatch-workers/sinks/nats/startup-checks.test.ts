import { NATS_CONFIG_BLOCK } from './config-block';
import type { NatsBlock } from './config-block';
import { checkNatsBlock, subjectPrefix } from './startup-checks';
import { connectionOptions } from './connection-options';

function defaults(group: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(group).map(([k, v]) => {
      const leaf = v as Record<string, unknown>;
      return [k, 'default' in leaf ? leaf.default : defaults(leaf)];
    }),
  );
}

function block(over: Partial<NatsBlock> = {}, jetstream: Partial<NatsBlock['jetstream']> = {}): NatsBlock {
  const b = defaults(NATS_CONFIG_BLOCK.schema as Record<string, unknown>) as unknown as NatsBlock;
  return { ...b, ...over, jetstream: { ...b.jetstream, ...jetstream } };
}

describe('nats block checks', () => {
  it('refuses core NATS as a reliable ack source, naming the key', () => {
    expect(() => checkNatsBlock(block(), 'ns', ['V'])).toThrow(
      expect.objectContaining({
        code: 'CONFIG_RELIABLE_ACK',
        key: 'reliable_ack_sources.V',
        message: expect.stringContaining('nats.jetstream.enabled'),
      }),
    );
    expect(() => checkNatsBlock(block({}, { enabled: true, stream: 'S' }), 'ns', ['V'])).not.toThrow();
  });

  it('requires a stream with JetStream', () => {
    expect(() => checkNatsBlock(block({}, { enabled: true }), 'ns', [])).toThrow(expect.objectContaining({ key: 'nats.jetstream.stream' }));
  });

  it('uses the namespace as prefix unless subject_prefix is set, and refuses a prefix the server would reject', () => {
    expect(subjectPrefix(block(), 'tesla')).toBe('tesla');
    expect(subjectPrefix(block({ subject_prefix: 'a.b' }), 'tesla')).toBe('a.b');
    expect(() => checkNatsBlock(block({ subject_prefix: 'a.*' }), 'ns', [])).toThrow(
      expect.objectContaining({ key: 'nats.subject_prefix' }),
    );
    expect(() => checkNatsBlock(block(), 'has space', [])).toThrow(expect.objectContaining({ key: 'namespace' }));
  });

  it('refuses two ways to authenticate', () => {
    expect(() => checkNatsBlock(block({ token: 't', user: 'u' }), 'ns', [])).toThrow(/choose one way to authenticate/);
  });

  it('builds connection options: URL list, credentials, TLS, endless reconnect', () => {
    const o = connectionOptions(
      block({
        url: 'nats://a:1, nats://b:2',
        user: 'u',
        password: 'p',
        tls: { enabled: false, ca_file: '/ca', cert_file: '', key_file: '' },
      }),
      'n',
    );
    expect(o).toMatchObject({
      servers: ['nats://a:1', 'nats://b:2'],
      user: 'u',
      pass: 'p',
      maxReconnectAttempts: -1,
      tls: { caFile: '/ca' },
    });
    expect(connectionOptions(block({ url: ['nats://a:1', 'nats://b:2,nats://c:3'] }), 'n').servers).toEqual([
      'nats://a:1',
      'nats://b:2',
      'nats://c:3',
    ]);
    expect(() => checkNatsBlock(block({ url: [' '] }), 'ns', [])).toThrow(expect.objectContaining({ key: 'nats.url' }));
    expect(connectionOptions(block({ token: 'sec' }), 'n')).toMatchObject({ token: 'sec' });
    expect(connectionOptions(block(), 'n').tls).toBeUndefined();
  });
});
