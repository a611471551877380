/**
 * The webhook's request body. Each record is one JSON object:
 *
 *   {"record_type":"V","vin":"…","txid":"…","metadata":{…7 keys…},"payload":"<base64 protobuf>"}
 *
 * or, with `transmit_decoded_records`, `"data":<the record as JSON>` instead of `"payload"`.
 * `json` joins them in an array; `ndjson` writes one per line. The signature is HMAC-SHA256 over
 * the bytes as sent (after gzip), hex, prefixed `sha256=`.
 */
import { createHmac } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { metadataJson } from '../../../shared/record';
import type { RecordMetadata } from '../../../shared/record';

export interface RecordFields {
  recordType: string;
  vin: string;
  txid: string;
  metadata: RecordMetadata;
  payload: Uint8Array;
}

/** One record as JSON text; `payloadIsJson`: the payload is already JSON (decoded records). */
export function recordJson(r: RecordFields, payloadIsJson: boolean): string {
  const q = JSON.stringify;
  const head = `{"record_type":${q(r.recordType)},"vin":${q(r.vin)},"txid":${q(r.txid)},"metadata":${metadataJson(r.metadata)},`;
  const body = payloadIsJson
    ? `"data":${Buffer.from(r.payload.buffer, r.payload.byteOffset, r.payload.byteLength).toString('utf8')}}`
    : `"payload":"${Buffer.from(r.payload.buffer, r.payload.byteOffset, r.payload.byteLength).toString('base64')}"}`;
  return head + body;
}

/** Uncompressed body bytes of `count` records whose JSON texts add up to `textBytes`. */
export function bodyLength(format: 'json' | 'ndjson', count: number, textBytes: number): number {
  return format === 'json' ? textBytes + Math.max(count - 1, 0) + 2 : textBytes + count;
}

export function joinRecords(format: 'json' | 'ndjson', records: readonly string[]): string {
  return format === 'json' ? `[${records.join(',')}]` : records.map((r) => r + '\n').join('');
}

export interface RequestBody {
  bytes: Buffer;
  headers: Record<string, string>;
}

export interface BodyOptions {
  format: 'json' | 'ndjson';
  gzip: boolean;
  hmacSecret: string;
  signatureHeader: string;
}

export function signature(secret: string, body: Uint8Array): string {
  return 'sha256=' + createHmac('sha256', secret).update(body).digest('hex');
}

/** The body of one request and the headers that describe it. */
export function requestBody(records: readonly string[], o: BodyOptions): RequestBody {
  const text = Buffer.from(joinRecords(o.format, records), 'utf8');
  const bytes = o.gzip ? gzipSync(text) : text;
  const headers: Record<string, string> = {
    'content-type': o.format === 'json' ? 'application/json' : 'application/x-ndjson',
  };
  if (o.gzip) headers['content-encoding'] = 'gzip';
  if (o.hmacSecret !== '') headers[o.signatureHeader.toLowerCase()] = signature(o.hmacSecret, bytes);
  return { bytes, headers };
}
