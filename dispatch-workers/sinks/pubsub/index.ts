/**
 * `pubsub` dispatcher (PROTOCOL.md §10.3): topic `<namespace>_<record type>` in
 * `pubsub.gcp_project_id`, created at startup when missing, metadata as attributes. Runs in the
 * dispatch lanes; confirms delivery for `reliable_ack_sources` (§9: the publish returned a message id).
 */
import type { SinkDefinition } from '../sink';
import { activity, logError } from '../../../shared/log';
import { topicName } from '../../../shared/record';
import { PUBSUB_CONFIG_BLOCK, pubsubBlock } from './config-block';
import { checkPubsubSetup } from './startup-checks';
import { TopicProvisioningError, provisionTopics } from './topic-provisioning';
import { CLOSE_FLUSH_TIMEOUT_MS, PubsubSink } from './pubsub-sink';

export const pubsubSink: SinkDefinition = {
  name: 'pubsub',
  runsOn: 'pool',
  confirmsDelivery: true,
  readsPayload: true,
  configBlock: PUBSUB_CONFIG_BLOCK,
  async create(context) {
    const { config, logger } = context;
    const block = pubsubBlock(config.sinks.pubsub);
    checkPubsubSetup(block.gcp_project_id, process.env);
    const metrics = context.metrics;
    const notConnected = metrics.counter('pubsub_not_connected_total', ['record_type']);
    // The Google client is loaded only where the sink is used.
    const { PubsubClient } = await import('./pubsub-client');
    const client = new PubsubClient(block.gcp_project_id, block.publish_timeout_ms, block.connect_timeout_ms);
    const topics = Object.entries(config.records)
      .filter(([, names]) => names.includes('pubsub'))
      .map(([recordType]) => ({ recordType, topic: topicName(config.namespace, recordType) }));
    try {
      const created = await provisionTopics(client, topics);
      for (const t of topics)
        activity(logger, 'pubsub_topic_created', { topic_name: t.topic, txType: t.recordType, created: created.includes(t) });
    } catch (error) {
      if (error instanceof TopicProvisioningError) {
        logError(logger, 'pubsub_topic_creation_error', String((error.cause as Error | undefined)?.message ?? error.message), {
          topic_name: error.topic.topic,
          txType: error.topic.recordType,
        });
        notConnected.inc({ record_type: error.topic.recordType });
      }
      await client.close().catch(() => undefined);
      throw error;
    }
    activity(logger, 'pubsub_registered', { project: block.gcp_project_id, namespace: config.namespace });
    return new PubsubSink(client, logger, metrics, {
      namespace: config.namespace,
      maxBufferedRecords: block.max_buffered_records,
      maxBufferedBytes: block.max_buffered_bytes,
      closeTimeoutMs: CLOSE_FLUSH_TIMEOUT_MS,
    });
  },
};
