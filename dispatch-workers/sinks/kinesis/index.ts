/**
 * `kinesis` dispatcher (PROTOCOL.md §10.2): one stream per record type, partition key = VIN, data =
 * the payload; records are batched into PutRecords calls (see put-records-batcher.ts). Runs in the
 * dispatch lanes; confirms delivery for `reliable_ack_sources` (§9: the PutRecords entry succeeded).
 */
import type { SinkDefinition } from '../sink';
import { activity } from '../../../shared/log';
import { KINESIS_CONFIG_BLOCK, kinesisBlock } from './config-block';
import { recordTypesUsing, resolveStreamNames } from './stream-names';
import { attemptsFor } from './retry-policy';
import { KinesisSink } from './kinesis-sink';

/** PutRecords calls per stream at once, per dispatch lane. */
const MAX_CALLS_PER_STREAM = 4;

export const kinesisSink: SinkDefinition = {
  name: 'kinesis',
  runsOn: 'pool',
  confirmsDelivery: true,
  readsPayload: true,
  configBlock: KINESIS_CONFIG_BLOCK,
  async create(context) {
    const { config, logger } = context;
    const block = kinesisBlock(config.sinks.kinesis);
    const streams = resolveStreamNames(recordTypesUsing('kinesis', config.records), block.streams, config.namespace, process.env);
    const attempts = attemptsFor(block.max_retries);
    // The AWS SDK is loaded only where the sink is used.
    const { createKinesisClient, putRecordsWith, testConnection } = await import('./kinesis-client');
    const client = createKinesisClient(block, process.env);
    await testConnection(client, attempts);
    activity(logger, 'kinesis_registered', { namespace: config.namespace, streams: Object.fromEntries(streams) });
    return new KinesisSink(putRecordsWith(client), streams, logger, context.metrics, {
      attempts,
      maxBufferedRecords: block.max_buffered_records,
      maxBufferedBytes: block.max_buffered_bytes,
      maxCallsPerStream: MAX_CALLS_PER_STREAM,
    });
  },
};
