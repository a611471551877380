import { producerProperties } from './producer-properties';

describe('producerProperties (PROTOCOL.md §10.1)', () => {
  it('passes strings and booleans, truncates numbers to integers, and forces delivery reports', () => {
    const { global, topic, ignoredKeys } = producerProperties({
      'bootstrap.servers': 'k1:9092,k2:9092',
      'queue.buffering.max.ms': 1000000,
      'batch.num.messages': 0.9,
      'enable.idempotence': true,
      'go.delivery.reports': false,
      'go.events.channel.size': 1000,
    });
    expect(global).toEqual({
      'bootstrap.servers': 'k1:9092,k2:9092',
      'queue.buffering.max.ms': 1000000,
      'batch.num.messages': 0,
      'enable.idempotence': true,
      dr_cb: true,
    });
    expect(topic).toEqual({});
    expect(ignoredKeys).toEqual(['go.events.channel.size']);
  });

  it('puts topic-level properties in the topic config, where node-rdkafka applies them', () => {
    const { global, topic } = producerProperties({ acks: 'all', 'message.timeout.ms': 3000.7, 'compression.type': 'lz4', 'linger.ms': 5 });
    expect(topic).toEqual({ acks: 'all', 'message.timeout.ms': 3000, 'compression.type': 'lz4' });
    expect(global).toEqual({ 'compression.type': 'lz4', 'linger.ms': 5, dr_cb: true });
  });

  it('names the key of a value librdkafka cannot take', () => {
    expect(() => producerProperties({ 'bootstrap.servers': ['a', 'b'] })).toThrow(/kafka\.bootstrap\.servers/);
  });
});
