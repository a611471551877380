/**
 * Reads Pub/Sub topics from the test emulator (pstest, test/services/pubsub): a subscription per
 * topic, created before the records are sent (Pub/Sub delivers only to subscriptions that exist
 * at publish time), streaming-pulled and acked.
 */
import { randomUUID } from 'node:crypto';
import { PubSub } from '@google-cloud/pubsub';
import type { Message, Subscription } from '@google-cloud/pubsub';
import { MessageLog } from './message-log';

export interface ReadMessage {
  topic: string;
  id: string;
  data: Buffer;
  attributes: Record<string, string>;
  publishTime: Date;
}

export class PubsubReader extends MessageLog<ReadMessage> {
  private readonly client: PubSub;
  private readonly subscriptions: Subscription[] = [];

  constructor(emulatorHost: string, projectId: string) {
    super('pubsub');
    // Without it the client probes the GCE metadata server even in emulator mode.
    process.env.METADATA_SERVER_DETECTION ??= 'none';
    this.client = new PubSub({ projectId, apiEndpoint: emulatorHost, emulatorMode: true });
  }

  async topicExists(topic: string): Promise<boolean> {
    const [exists] = await this.client.topic(topic).exists();
    return exists;
  }

  async createTopic(topic: string): Promise<void> {
    if (!(await this.topicExists(topic))) await this.client.createTopic(topic);
  }

  /** Subscribes to the topic (which must exist); its messages are collected from now on. */
  async subscribe(topic: string): Promise<void> {
    const [subscription] = await this.client.topic(topic).createSubscription(`${topic}-test-${randomUUID()}`);
    subscription.on('message', (m: Message) => {
      this.add({ topic, id: m.id, data: m.data, attributes: { ...m.attributes }, publishTime: m.publishTime });
      m.ack();
    });
    subscription.on('error', () => undefined); // the emulator is stopped on purpose in some tests
    this.subscriptions.push(subscription);
  }

  byAttribute(name: string, value: string): ReadMessage[] {
    return this.messages.filter((m) => m.attributes[name] === value);
  }

  async close(): Promise<void> {
    await Promise.all(this.subscriptions.map((s) => s.close().catch(() => undefined)));
    await this.client.close();
  }
}
