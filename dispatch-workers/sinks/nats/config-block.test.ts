import { loadConfig } from '../../../config';
import { NATS_CONFIG_BLOCK, natsBlock } from './config-block';

const TLS = { server_cert: 'c', server_key: 'k', ca_file: 'ca' };

function load(nats: Record<string, unknown>) {
  return loadConfig({ json: { tls: TLS, records: { V: ['nats'] }, nats }, env: {}, sinkBlocks: [NATS_CONFIG_BLOCK], knownSinks: ['nats'] });
}

describe('the nats config block', () => {
  it('takes url as one string or a list, and fills the defaults in, JetStream off', () => {
    expect(natsBlock(load({ url: 'nats://a:4222' }).sinks.nats).url).toBe('nats://a:4222');
    const block = natsBlock(load({ url: ['nats://a:4222', 'nats://b:4222'] }).sinks.nats);
    expect(block.url).toEqual(['nats://a:4222', 'nats://b:4222']);
    expect(block.jetstream).toMatchObject({
      enabled: false,
      create_stream: false,
      retention: 'limits',
      discard: 'old',
      publish_timeout_ms: 5000,
    });
    expect(block.reconnect_buffer_bytes).toBe(8 * 1024 * 1024);
  });

  it('refuses a url that is neither, and an unknown retention, naming the key', () => {
    expect(() => load({ url: 5 })).toThrow(/nats\.url/);
    expect(() => load({ jetstream: { retention: 'forever' } })).toThrow(/nats\.jetstream\.retention/);
  });
});
