/**
 * `http` dispatcher (ours; upstream has none): records POSTed in batches to a webhook receiver,
 * signed, retried, per-VIN ordered. Runs in the dispatch lanes, one connection pool per lane.
 * Confirms delivery for `reliable_ack_sources`: the 2xx of the request that carried the record.
 */
import type { SinkDefinition } from '../sink';
import { activity } from '../../../shared/log';
import { isKnownRecordType } from '../../../shared/record';
import { HTTP_CONFIG_BLOCK, httpBlock } from './config-block';
import { checkHttpBlock } from './startup-checks';
import { HttpSink } from './http-sink';

/** Close waits for requests at most this long: the primary stops a worker 5 s after its drain deadline. */
const CLOSE_TIMEOUT_MS = 4_000;

export const httpSink: SinkDefinition = {
  name: 'http',
  runsOn: 'pool',
  confirmsDelivery: true,
  readsPayload: true,
  configBlock: HTTP_CONFIG_BLOCK,
  async create(context) {
    const { config, logger } = context;
    const block = httpBlock(config.sinks.http);
    const url = checkHttpBlock(block);
    // undici is loaded only where the sink is used.
    const { WebhookClient } = await import('./webhook-client');
    const decoded = config.transmit_decoded_records;
    activity(logger, 'http_registered', { url: url.origin + url.pathname, format: block.format, gzip: block.gzip });
    return new HttpSink(new WebhookClient(url, block), logger, context.metrics, {
      body: { format: block.format, gzip: block.gzip, hmacSecret: block.hmac_secret, signatureHeader: block.signature_header },
      retry: {
        maxRetries: block.max_retries,
        baseMs: block.retry_base_ms,
        maxMs: block.retry_max_ms,
        retryAfterMaxMs: block.retry_after_max_ms,
      },
      payloadIsJson: (recordType) => decoded && isKnownRecordType(recordType),
      maxRecords: block.max_records,
      maxBytes: block.max_bytes,
      maxDelayMs: block.max_delay_ms,
      maxConcurrent: block.max_concurrent_requests,
      maxQueuedRecords: block.max_queued_records,
      maxQueuedBytes: block.max_queued_bytes,
      closeTimeoutMs: CLOSE_TIMEOUT_MS,
    });
  },
};
