/**
 * A real MQTT subscriber (mqtt.js) that collects what the gateway publishes under a topic filter.
 */
import mqtt from 'mqtt';
import type { MqttClient } from 'mqtt';
import { MessageLog } from '../../bench/readback/message-log';

export interface MqttReceived {
  topic: string;
  text: string;
  retain: boolean;
}

export class MqttReader extends MessageLog<MqttReceived> {
  private constructor(private readonly client: MqttClient) {
    super('MQTT');
    client.on('message', (topic, payload, packet) => this.add({ topic, text: payload.toString('utf8'), retain: packet.retain }));
  }

  /** Connects to `host:port` (with credentials when given) and subscribes to `filter` (QoS 1). */
  static async open(
    broker: string,
    filter: string,
    credentials: { username: string; password: string } | undefined = undefined,
  ): Promise<MqttReader> {
    const client = await mqtt.connectAsync(`mqtt://${broker}`, { reconnectPeriod: 200, ...credentials });
    await client.subscribeAsync(filter, { qos: 1 });
    return new MqttReader(client);
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}
