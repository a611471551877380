/**
 * The `http` config block (ours: upstream has no webhook dispatcher): where to POST, how the body
 * looks and is signed, how records are batched, retried and bounded.
 */
import type { SinkConfigBlock } from '../../../config';

export interface HttpBlock {
  url: string;
  headers: Record<string, string>;
  format: 'json' | 'ndjson';
  gzip: boolean;
  hmac_secret: string;
  signature_header: string;
  max_records: number;
  max_bytes: number;
  max_delay_ms: number;
  timeout_ms: number;
  max_retries: number;
  retry_base_ms: number;
  retry_max_ms: number;
  retry_after_max_ms: number;
  max_concurrent_requests: number;
  max_queued_records: number;
  max_queued_bytes: number;
}

const nat = (doc: string, value: number) => ({ doc, format: 'nat', default: value, goType: 'int' });

export const HTTP_CONFIG_BLOCK: SinkConfigBlock = {
  key: 'http',
  upstreamName: 'HTTP',
  schema: {
    url: { doc: 'Receiver URL (http:// or https://); records are POSTed to it.', format: String, default: '', goType: 'string' },
    headers: { doc: 'Extra request headers, name → value.', format: Object, default: {}, goType: 'map[string]string' },
    format: {
      doc: 'Body: json (one JSON array) or ndjson (one JSON object per line).',
      format: ['json', 'ndjson'],
      default: 'json',
      goType: 'string',
    },
    gzip: { doc: 'Compress the body (Content-Encoding: gzip).', format: Boolean, default: false, goType: 'bool' },
    hmac_secret: { doc: 'When set, signs each body with HMAC-SHA256 in signature_header.', format: String, default: '', goType: 'string' },
    signature_header: {
      doc: 'Header carrying sha256=<hex HMAC of the body as sent>.',
      format: String,
      default: 'X-Signature-256',
      goType: 'string',
    },
    max_records: nat('Records per request at most.', 500),
    max_bytes: nat('Uncompressed body bytes per request at most (a single larger record goes alone).', 1024 * 1024),
    max_delay_ms: nat('How long a record may wait for a fuller request (with reliable acks, it adds to the ACK latency).', 20),
    timeout_ms: nat('Whole-request timeout (connect, send, response).', 10_000),
    max_retries: nat('Retries of a request after a 5xx, 408, 429, timeout or connection error.', 5),
    retry_base_ms: nat('First retry delay; doubles each retry, with jitter.', 250),
    retry_max_ms: nat('Longest backoff delay.', 30_000),
    retry_after_max_ms: nat('Longest Retry-After (408/429) honoured; a longer one is cut to this.', 60_000),
    max_concurrent_requests: nat('Requests in flight per dispatch lane (keep-alive connections).', 4),
    max_queued_records: nat('Records queued or in flight per dispatch lane; more are refused.', 10_000),
    max_queued_bytes: nat('Encoded bytes queued or in flight per dispatch lane; more are refused.', 64 * 1024 * 1024),
  },
};

/** The validated block (config/ filled the defaults in). */
export function httpBlock(value: unknown): HttpBlock {
  return value as HttpBlock;
}
