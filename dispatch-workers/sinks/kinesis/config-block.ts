/**
 * The `kinesis` config block (PROTOCOL.md §10.2, §12.2): upstream's three keys plus ours
 * (`http_version`, the buffer bounds), all optional. `KINESIS_STREAM_<TYPE>` and the AWS variables
 * are read by the sink, not here (the stream variables depend on the record types in use).
 */
import type { SinkConfigBlock } from '../../../config';

export interface KinesisBlock {
  max_retries: number;
  override_host: string;
  streams: Record<string, string>;
  http_version: '1.1' | '2';
  max_buffered_records: number;
  max_buffered_bytes: number;
}

export const KINESIS_CONFIG_BLOCK: SinkConfigBlock = {
  key: 'kinesis',
  upstreamName: 'Kinesis',
  schema: {
    max_retries: {
      doc: 'Times a record is sent again after a failed attempt (the whole call or its entry); negative = the AWS SDK default, 3.',
      format: 'int',
      default: 1,
      goType: 'int',
    },
    override_host: {
      doc: 'Endpoint URL instead of the regional AWS one, e.g. http://localhost:4566 (no scheme ⇒ https://).',
      format: String,
      default: '',
      goType: 'string',
    },
    streams: {
      doc: 'Record type → stream name; KINESIS_STREAM_<TYPE> overrides it; default <namespace>_<record type>.',
      format: Object,
      default: {},
      goType: 'map[string]string',
    },
    http_version: {
      doc: 'Ours. HTTP version to the Kinesis endpoint: "1.1" (default; what kinesalite and LocalStack speak) or "2".',
      format: ['1.1', '2'],
      default: '1.1',
      goType: 'string',
    },
    max_buffered_records: {
      doc: 'Ours. Records queued or in a call per dispatch lane; above half of it the ACKs of new records wait until they have left the buffer (back-pressure), beyond it records are refused (not ACKed, gateway/DEVIATIONS.md D6).',
      format: 'nat',
      default: 10_000,
      goType: 'int',
    },
    max_buffered_bytes: {
      doc: 'Ours. Bytes (data + partition key) queued or in a call per dispatch lane; the same high-water mark at half, and refused beyond it.',
      format: 'nat',
      default: 64 * 1024 * 1024,
      goType: 'int',
    },
  },
};

/** The validated block (config/ filled the defaults in). */
export function kinesisBlock(value: unknown): KinesisBlock {
  return value as KinesisBlock;
}
