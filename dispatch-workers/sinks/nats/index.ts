/**
 * `nats` dispatcher (ours; upstream has none): subject `<prefix>.<record type>.<VIN>`, data = the
 * payload, headers = the record metadata. Runs in the dispatch lanes, one connection per lane.
 * A reliable-ack source only with JetStream, where delivery = the stream's PubAck.
 */
import type { SinkDefinition } from '../sink';
import { activity } from '../../../shared/log';
import { NATS_CONFIG_BLOCK, natsBlock } from './config-block';
import { checkNatsBlock, subjectPrefix } from './startup-checks';
import { NatsSink } from './nats-sink';
import { serverList } from './connection-options';

/** Close waits for PubAcks at most this long: the primary stops a worker 5 s after its drain deadline. */
const CLOSE_TIMEOUT_MS = 4_000;

export const natsSink: SinkDefinition = {
  name: 'nats',
  runsOn: 'pool',
  confirmsDelivery: true,
  readsPayload: true,
  configBlock: NATS_CONFIG_BLOCK,
  async create(context) {
    const { config, logger } = context;
    const block = natsBlock(config.sinks.nats);
    checkNatsBlock(block, config.namespace, config.reliableAckBySink.nats ?? []);
    const prefix = subjectPrefix(block, config.namespace);
    // nats.js is loaded only where the sink is used.
    const { NatsClient } = await import('./nats-client');
    const { ensureStream, streamSubjects } = await import('./stream-setup');
    const client = await NatsClient.connect(block, `fleet-telemetry ${process.pid}`);
    if (block.jetstream.enabled) {
      try {
        const recordTypes = Object.keys(config.records).filter((t) => config.records[t].includes('nats'));
        const subjects = streamSubjects(block.jetstream, prefix, recordTypes);
        const created = await ensureStream(await client.connection.jetstreamManager(), block.jetstream, subjects);
        activity(logger, 'nats_stream_ready', { stream: block.jetstream.stream, created });
      } catch (error) {
        await client.connection.close();
        throw error;
      }
    }
    activity(logger, 'nats_registered', {
      url: serverList(block.url).join(','),
      subject_prefix: prefix,
      jetstream: block.jetstream.enabled,
    });
    return new NatsSink(client, logger, context.metrics, {
      subjectPrefix: prefix,
      jetstream: block.jetstream.enabled,
      reconnectBufferBytes: block.reconnect_buffer_bytes,
      maxPendingRecords: block.max_pending_records,
      maxPendingBytes: block.max_pending_bytes,
      closeTimeoutMs: CLOSE_TIMEOUT_MS,
    });
  },
};
