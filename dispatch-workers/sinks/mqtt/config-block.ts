/**
 * The `mqtt` config block (PROTOCOL.md §10.5, §12.2): upstream's keys, and ours,
 * `max_buffered_records`. Upstream replaces a 0 timeout by its default: `resolveMqttBlock` does too.
 */
import type { SinkConfigBlock } from '../../../config';

export interface MqttBlock {
  broker: string;
  client_id: string;
  username: string;
  password: string;
  topic_base: string;
  qos: number;
  retained: boolean;
  connect_timeout_ms: number;
  publish_timeout_ms: number;
  disconnect_timeout_ms: number;
  connect_retry_interval_ms: number;
  keep_alive_seconds: number;
  max_buffered_records: number;
}

/** §10.5: applied when the key is 0 or absent. */
export const MQTT_DEFAULTS = {
  connect_timeout_ms: 30_000,
  publish_timeout_ms: 2_500,
  disconnect_timeout_ms: 250,
  connect_retry_interval_ms: 10_000,
  keep_alive_seconds: 30,
} as const;

const ms = (doc: string, key: keyof typeof MQTT_DEFAULTS) => ({
  doc: `${doc} 0 ⇒ ${MQTT_DEFAULTS[key]}.`,
  format: 'nat',
  default: MQTT_DEFAULTS[key],
  goType: 'int',
});

export const MQTT_CONFIG_BLOCK: SinkConfigBlock = {
  key: 'mqtt',
  upstreamName: 'MQTT',
  schema: {
    broker: {
      doc: 'Broker address host:port; without a scheme tcp:// is assumed (also ssl://, tls://, mqtt://, mqtts://, ws://, wss://).',
      format: String,
      default: '',
      goType: 'string',
    },
    client_id: { doc: 'MQTT client id ("" ⇒ the broker assigns one).', format: String, default: '', goType: 'string' },
    username: { doc: 'User name ("" ⇒ none).', format: String, default: '', goType: 'string' },
    password: { doc: 'Password ("" ⇒ none).', format: String, default: '', goType: 'string', sensitive: true },
    topic_base: { doc: 'Prefix of every topic: <topic_base>/<VIN>/….', format: String, default: '', goType: 'string' },
    qos: {
      doc: 'QoS of every publish: 0, 1 or 2 (a byte in upstream; 3-255 are refused here).',
      format: 'nat',
      default: 0,
      goType: 'uint8',
    },
    retained: { doc: 'Publish with the retained flag.', format: Boolean, default: false, goType: 'bool' },
    connect_timeout_ms: ms('Timeout of each connection attempt (CONNECT → CONNACK), ms.', 'connect_timeout_ms'),
    publish_timeout_ms: ms('Time all publishes of one record share to complete (PUBACK/PUBCOMP for QoS ≥ 1), ms.', 'publish_timeout_ms'),
    disconnect_timeout_ms: ms('How long close waits for outgoing messages before disconnecting, ms.', 'disconnect_timeout_ms'),
    connect_retry_interval_ms: ms('Wait between reconnection attempts, ms.', 'connect_retry_interval_ms'),
    keep_alive_seconds: ms('MQTT keep-alive, seconds.', 'keep_alive_seconds'),
    max_buffered_records: {
      doc: 'Ours. Records being published per dispatch lane; more are refused (not ACKed, DEVIATIONS.md D6).',
      format: 'nat',
      default: 10_000,
      goType: 'int',
    },
  },
};

/** The validated block with upstream's "0 ⇒ default" applied. */
export function resolveMqttBlock(value: unknown): MqttBlock {
  const block = { ...(value as MqttBlock) };
  for (const key of Object.keys(MQTT_DEFAULTS) as (keyof typeof MQTT_DEFAULTS)[]) if (block[key] === 0) block[key] = MQTT_DEFAULTS[key];
  return block;
}

/**
 * The broker as an mqtt.js URL: no scheme ⇒ tcp:// (§10.5). Paho's scheme names map to mqtt.js':
 * tcp → mqtt, ssl/tls → mqtts.
 */
export function brokerUrl(broker: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(broker) ? broker : `tcp://${broker}`;
  return withScheme.replace(/^(tcp|ssl|tls|tcps)(?=:\/\/)/i, (scheme) => (scheme.toLowerCase() === 'tcp' ? 'mqtt' : 'mqtts'));
}
