/**
 * `mqtt` dispatcher (PROTOCOL.md §10.5): each record becomes JSON messages on topics under
 * `<topic_base>/<VIN>/`, rendered from the decoded record (never from the payload). Runs in the
 * dispatch lanes, one connection per lane; confirms delivery for `reliable_ack_sources` when
 * `qos` ≥ 1 (§9: every publish of the record acknowledged by the broker).
 */
import { ConfigError } from '../../../config';
import type { GatewayConfig } from '../../../config';
import { activity } from '../../../shared/log';
import type { SinkDefinition } from '../sink';
import { MQTT_CONFIG_BLOCK, resolveMqttBlock } from './config-block';
import type { MqttBlock } from './config-block';
import { MqttSink } from './mqtt-sink';

export const mqttSink: SinkDefinition = {
  name: 'mqtt',
  runsOn: 'pool',
  confirmsDelivery: true,
  readsPayload: false,
  readsDecoded: true,
  configBlock: MQTT_CONFIG_BLOCK,
  async create({ config, logger, metrics }) {
    const block = resolveMqttBlock(config.sinks.mqtt);
    checkMqttBlock(block, config);
    // mqtt.js is loaded only where the sink is used.
    const { clientIdFor, connectMqtt } = await import('./mqtt-client');
    const connections = config.workerCount * config.gateway.dispatch_threads;
    const clientId = clientIdFor(block.client_id, connections);
    const connection = await connectMqtt(block, clientId, logger);
    activity(logger, 'mqtt_registered', { broker: block.broker, client_id: clientId, qos: block.qos, topic_base: block.topic_base });
    return new MqttSink(connection, logger, metrics, {
      namespace: config.namespace,
      topicBase: block.topic_base,
      publishTimeoutMs: block.publish_timeout_ms,
      disconnectTimeoutMs: block.disconnect_timeout_ms,
      maxBufferedRecords: block.max_buffered_records,
    });
  },
};

/** Startup checks that name the key; upstream has none of them (see the README). */
export function checkMqttBlock(block: MqttBlock, config: Pick<GatewayConfig, 'reliableAckBySink'>): void {
  if (block.broker === '')
    throw new ConfigError('CONFIG_INVALID_VALUE', 'config key "mqtt.broker" is required: the broker as host:port', 'mqtt.broker');
  if (block.qos > 2)
    throw new ConfigError('CONFIG_INVALID_VALUE', `config key "mqtt.qos": must be 0, 1 or 2, got ${block.qos}`, 'mqtt.qos');
  const reliable = config.reliableAckBySink.mqtt ?? [];
  if (block.qos === 0 && reliable.length > 0) {
    throw new ConfigError(
      'CONFIG_RELIABLE_ACK',
      `config key "mqtt.qos": 0 cannot confirm delivery, so mqtt cannot be the reliable ack source of ${reliable
        .map((t) => `"reliable_ack_sources.${t}"`)
        .join(', ')}: set mqtt.qos to 1 or 2, or choose another source`,
      'mqtt.qos',
    );
  }
}
