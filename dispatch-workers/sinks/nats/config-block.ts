/**
 * The `nats` config block (ours: upstream has no NATS dispatcher). Core NATS by default; with
 * `jetstream.enabled` every publish waits for the stream's PubAck, which is what makes the sink a
 * possible `reliable_ack_sources` target.
 */
import type { SinkConfigBlock } from '../../../config';

export interface JetStreamBlock {
  enabled: boolean;
  stream: string;
  create_stream: boolean;
  subjects: string[];
  retention: 'limits' | 'interest' | 'workqueue';
  storage: 'file' | 'memory';
  max_age_ms: number;
  max_msgs: number;
  max_bytes: number;
  discard: 'old' | 'new';
  publish_timeout_ms: number;
}

export interface NatsBlock {
  /** One URL, several separated by commas, or a list. */
  url: string | string[];
  user: string;
  password: string;
  token: string;
  nkey_seed_file: string;
  creds_file: string;
  tls: { ca_file: string; cert_file: string; key_file: string; enabled: boolean };
  subject_prefix: string;
  reconnect_wait_ms: number;
  reconnect_buffer_bytes: number;
  max_pending_records: number;
  max_pending_bytes: number;
  jetstream: JetStreamBlock;
}

/** convict format of `url`: a string, or a list of strings. */
function urlOrList(value: unknown): void {
  if (typeof value === 'string') return;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return;
  throw new Error('must be a URL string or a list of URL strings');
}

const str = (doc: string, goType = 'string') => ({ doc, format: String, default: '', goType });
const nat = (doc: string, value: number) => ({ doc, format: 'nat', default: value, goType: 'int' });

export const NATS_CONFIG_BLOCK: SinkConfigBlock = {
  key: 'nats',
  upstreamName: 'NATS',
  schema: {
    url: {
      doc: 'Server URL (nats://host:4222), several separated by commas, or a list of URLs.',
      format: urlOrList,
      default: 'nats://127.0.0.1:4222',
      goType: 'any',
    },
    user: str('User name (with password).'),
    password: str('Password (with user).'),
    token: str('Authentication token.'),
    nkey_seed_file: str('File holding an NKey seed (SU…).'),
    creds_file: str('Credentials file (JWT + NKey seed, as nsc writes it).'),
    tls: {
      enabled: { doc: 'Require TLS even without certificate files.', format: Boolean, default: false, goType: 'bool' },
      ca_file: str('CA certificates to trust for the server (PEM).'),
      cert_file: str('Client certificate (PEM), for servers that verify clients.'),
      key_file: str('Client private key (PEM).'),
    },
    subject_prefix: str(
      'First subject token(s); empty ⇒ the namespace (none when that is empty too). Subject: <prefix>.<record type>.<VIN>.',
    ),
    reconnect_wait_ms: nat('Pause between reconnect attempts (the client reconnects forever).', 1_000),
    reconnect_buffer_bytes: nat('Payload bytes published while disconnected, per dispatch lane; more are refused.', 8 * 1024 * 1024),
    max_pending_records: nat('JetStream: records waiting for their PubAck per dispatch lane; more are refused.', 10_000),
    max_pending_bytes: nat('JetStream: payload bytes waiting for their PubAck per dispatch lane; more are refused.', 64 * 1024 * 1024),
    jetstream: {
      enabled: { doc: 'Publish to JetStream and wait for each PubAck.', format: Boolean, default: false, goType: 'bool' },
      stream: str('Stream the subjects belong to (checked or created at startup).'),
      create_stream: { doc: 'Create the stream at startup when it is missing.', format: Boolean, default: false, goType: 'bool' },
      subjects: {
        doc: 'Subjects of a created stream; empty ⇒ <prefix>.> (without a prefix: <record type>.> per type).',
        format: Array,
        default: [],
        goType: '[]string',
      },
      retention: {
        doc: 'Retention of a created stream.',
        format: ['limits', 'interest', 'workqueue'],
        default: 'limits',
        goType: 'string',
      },
      storage: { doc: 'Storage of a created stream.', format: ['file', 'memory'], default: 'file', goType: 'string' },
      max_age_ms: nat('Max age of a created stream’s messages; 0 = unlimited.', 0),
      max_msgs: { doc: 'Max messages of a created stream; -1 = unlimited.', format: 'int', default: -1, goType: 'int' },
      max_bytes: { doc: 'Max bytes of a created stream; -1 = unlimited.', format: 'int', default: -1, goType: 'int' },
      discard: {
        doc: 'What a full created stream discards: old messages, or new ones (refused).',
        format: ['old', 'new'],
        default: 'old',
        goType: 'string',
      },
      publish_timeout_ms: nat('How long a publish waits for its PubAck before the record fails.', 5_000),
    },
  },
};

/** The validated block (config/ filled the defaults in). */
export function natsBlock(value: unknown): NatsBlock {
  return value as NatsBlock;
}
