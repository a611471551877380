/** Test-only: sink blocks shaped like the real sinks' (PROTOCOL.md §10.1–10.7), permissive enough for
 * the upstream examples, so config/ tests do not depend on dispatch-workers/. */
import type { SinkConfigBlock } from './types';

export const FAKE_SINK_BLOCKS: SinkConfigBlock[] = [
  {
    key: 'kafka',
    upstreamName: 'Kafka',
    openProperties: true,
    schema: { 'go.delivery.reports': { doc: 'wrapper option', format: Boolean, default: true, goType: 'bool' } },
  },
  { key: 'pubsub', upstreamName: 'Pubsub', schema: { gcp_project_id: { doc: 'project', format: String, default: '', goType: 'string' } } },
  {
    key: 'kinesis',
    upstreamName: 'Kinesis',
    schema: {
      max_retries: { doc: 'retries', format: 'int', default: 1, goType: 'int' },
      override_host: { doc: 'endpoint', format: String, default: '', goType: 'string' },
      streams: { doc: 'type → stream', format: Object, default: {}, goType: 'map[string]string' },
    },
  },
  {
    key: 'zmq',
    upstreamName: 'ZMQ',
    schema: {
      addr: { doc: 'bind address', format: String, default: '', goType: 'string' },
      verbose: { doc: 'monitor', format: Boolean, default: false },
    },
  },
  {
    key: 'mqtt',
    upstreamName: 'MQTT',
    schema: {
      broker: { doc: 'host:port', format: String, default: '', goType: 'string' },
      client_id: { doc: 'client id', format: String, default: '', goType: 'string' },
      topic_base: { doc: 'topic prefix', format: String, default: '', goType: 'string' },
      qos: {
        doc: 'qos',
        format: (v: unknown) => {
          if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > 255) throw new Error('must be an integer 0-255');
        },
        default: 0,
        goType: 'int',
      },
      retained: { doc: 'retain', format: Boolean, default: false, goType: 'bool' },
      connect_timeout_ms: { doc: 'ms', format: 'nat', default: 30000, goType: 'int' },
      publish_timeout_ms: { doc: 'ms', format: 'nat', default: 2500, goType: 'int' },
    },
  },
  {
    key: 'redis',
    upstreamName: 'Redis',
    schema: {
      addrs: { doc: 'addresses', format: Array, default: [], goType: '[]string' },
      password: { doc: 'password', format: String, default: '', env: 'REDIS_PASSWORD', sensitive: true, goType: 'string' },
      publish_vin_topics: { doc: 'vin channel', format: Boolean, default: false, goType: 'bool' },
      subscriber_set_prefix: { doc: 'prefix', format: String, default: '', goType: 'string' },
    },
  },
  { key: 'logger', upstreamName: 'Logger', optional: true, schema: { verbose: { doc: 'verbose', format: Boolean, default: false } } },
];

export const FAKE_KNOWN_SINKS = FAKE_SINK_BLOCKS.map((b) => b.key);

/** The smallest config that passes the startup checks. */
export const VALID_TLS = { server_cert: 'server.crt', server_key: 'server.key', ca_file: 'tesla-ca.crt' };
