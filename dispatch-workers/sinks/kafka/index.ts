/**
 * `kafka` dispatcher (PROTOCOL.md §10.1): topic `<namespace>_<record type>`, key = VIN, the 7
 * metadata entries as headers, value = the payload. Main thread; confirms delivery (§9).
 *
 * The registry is loaded in the dispatch threads too, where node-rdkafka must never be loaded (a
 * second load of the addon in a worker thread fails, Blizzard/node-rdkafka#958): the sink module
 * is imported only by `create`, which runs on the main thread.
 */
import type { SinkDefinition } from '../sink';
import { producerProperties } from './producer-properties';
import { activity } from '../../../shared/log';
import { HeldRecords, holdLimit } from './held-records';

export const kafkaSink: SinkDefinition = {
  name: 'kafka',
  runsOn: 'main',
  confirmsDelivery: true,
  readsPayload: true,
  configBlock: {
    key: 'kafka',
    upstreamName: 'Kafka',
    // Every key is a librdkafka property (see its CONFIGURATION.md), passed through.
    openProperties: true,
    schema: {},
  },
  async create({ config, logger, metrics }) {
    const { global, topic, ignoredKeys } = producerProperties(config.sinks.kafka as Record<string, unknown>);
    if (ignoredKeys.length > 0) activity(logger, 'kafka_ignored_properties', { keys: ignoredKeys.join(',') });
    const { KafkaSink } = await import('./kafka-sink');
    return KafkaSink.start(global, topic, config.namespace, new HeldRecords(holdLimit(global)), logger, metrics);
  },
};
