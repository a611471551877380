/**
 * `redis` dispatcher (PROTOCOL.md §10.6): PUBLISH of the payload to the vehicle's subscriber
 * channels (a sorted set of leases) and/or its VIN channel `<namespace>_<record type>_{<VIN>}`, on a
 * single server or a cluster. Runs in the dispatch lanes; confirms delivery for
 * `reliable_ack_sources` (§9: every PUBLISH succeeded).
 */
import { ConfigError } from '../../../config';
import { activity } from '../../../shared/log';
import type { SinkDefinition } from '../sink';
import { REDIS_CONFIG_BLOCK, resolveRedisBlock } from './config-block';
import type { RedisBlock } from './config-block';
import { RedisSink } from './redis-sink';

export const redisSink: SinkDefinition = {
  name: 'redis',
  runsOn: 'pool',
  confirmsDelivery: true,
  readsPayload: true,
  configBlock: REDIS_CONFIG_BLOCK,
  async create({ config, logger, metrics }) {
    const block = resolveRedisBlock(config.sinks.redis, process.env);
    checkRedisBlock(block);
    // ioredis is loaded only where the sink is used.
    const { connectRedis } = await import('./redis-client');
    const redis = await connectRedis(block, logger);
    const clustered = block.cluster_mode || block.addrs.length > 1;
    activity(logger, 'redis_registered', {
      namespace: config.namespace,
      publish_vin_topics: block.publish_vin_topics,
      subscriber_set_prefix: block.subscriber_set_prefix,
      cluster: clustered,
    });
    return new RedisSink(redis, logger, metrics, {
      namespace: config.namespace,
      publishVinTopics: block.publish_vin_topics,
      subscriberSetPrefix: block.subscriber_set_prefix,
      maxBufferedRecords: block.max_buffered_records,
      orderPerVin: clustered,
    });
  },
};

/** §10.6 startup checks, upstream's texts. */
export function checkRedisBlock(block: RedisBlock): void {
  if (block.addrs.length === 0) throw new ConfigError('CONFIG_INVALID_VALUE', 'redis addrs cannot be empty', 'redis.addrs');
  if (!block.publish_vin_topics && block.subscriber_set_prefix === '') {
    throw new ConfigError(
      'CONFIG_INVALID_VALUE',
      'redis requires publish_vin_topics or subscriber_set_prefix to be set, otherwise no records are published',
      'redis.publish_vin_topics',
    );
  }
}
