/**
 * A real MQTT subscriber (mqtt.js) that collects what the gateway publishes under a topic filter.
 */
import mqtt from 'mqtt';
import type { MqttClient } from 'mqtt';

export interface MqttReceived {
  topic: string;
  text: string;
  retain: boolean;
}

export class MqttReader {
  readonly messages: MqttReceived[] = [];
  private waiters: (() => void)[] = [];

  private constructor(private readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      this.messages.push({ topic, text: payload.toString('utf8'), retain: packet.retain });
      for (const w of this.waiters.splice(0)) w();
    });
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

  /** Resolves once the condition holds (checked on every message), or rejects after the timeout. */
  async waitUntil(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`MQTT condition not met within ${timeoutMs} ms (${this.messages.length} messages)`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}
