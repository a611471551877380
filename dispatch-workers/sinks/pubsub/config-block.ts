/**
 * The `pubsub` config block (PROTOCOL.md §10.3, §12.2): upstream's `gcp_project_id` plus ours (the
 * publish and startup timeouts, the buffer bounds), all optional. `PUBSUB_EMULATOR_HOST` and
 * `GOOGLE_APPLICATION_CREDENTIALS` are read by the sink. Upstream examples also show
 * `pubsub.reliable_ack`, which upstream ignores: so do we, with a startup warning (unusedKeys).
 */
import type { SinkConfigBlock } from '../../../config';

export interface PubsubBlock {
  gcp_project_id: string;
  publish_timeout_ms: number;
  connect_timeout_ms: number;
  max_buffered_records: number;
  max_buffered_bytes: number;
}

export const PUBSUB_CONFIG_BLOCK: SinkConfigBlock = {
  key: 'pubsub',
  upstreamName: 'Pubsub',
  unusedKeys: {
    reliable_ack: 'no effect: to hold ACKs until Pub/Sub confirms, name pubsub in reliable_ack_sources (e.g. {"V": "pubsub"})',
  },
  schema: {
    gcp_project_id: {
      doc: 'GCP project of the topics; required when a record type uses pubsub.',
      format: String,
      default: '',
      goType: 'string',
    },
    publish_timeout_ms: {
      doc: 'Ours. How long a publish (with the client’s retries) may take before the record fails (upstream’s Go client: 60 s).',
      format: 'nat',
      default: 60_000,
      goType: 'int',
    },
    connect_timeout_ms: {
      doc: 'Ours. How long each topic check or creation at startup may take (with retries) before startup fails.',
      format: 'nat',
      default: 30_000,
      goType: 'int',
    },
    max_buffered_records: {
      doc: 'Ours. Records being published per dispatch lane; above half of it the ACKs of new records wait until they have left the buffer (back-pressure), beyond it records are refused (not ACKed, gateway/DEVIATIONS.md D6).',
      format: 'nat',
      default: 10_000,
      goType: 'int',
    },
    max_buffered_bytes: {
      doc: 'Ours. Payload bytes being published per dispatch lane; the same high-water mark at half, and refused beyond it.',
      format: 'nat',
      default: 64 * 1024 * 1024,
      goType: 'int',
    },
  },
};

/** The validated block (config/ filled the defaults in). */
export function pubsubBlock(value: unknown): PubsubBlock {
  return value as PubsubBlock;
}
