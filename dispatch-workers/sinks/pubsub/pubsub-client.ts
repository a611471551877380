/**
 * The `@google-cloud/pubsub` side of the sink: one client per dispatch lane (credentials from
 * `GOOGLE_APPLICATION_CREDENTIALS`, or the emulator at `PUBSUB_EMULATOR_HOST`, both read by the
 * library, PROTOCOL.md §10.3), a cached batching publisher per topic, and the admin calls of
 * topic provisioning with a bounded time.
 */
import { PubSub } from '@google-cloud/pubsub';
import type { Topic } from '@google-cloud/pubsub';
import type { TopicAdmin } from './topic-provisioning';
import { isNotFound } from './topic-provisioning';

/** Publishes one message; resolves with the server's message id. */
export interface Publisher {
  publish(topic: string, data: Buffer, attributes: Record<string, string>): Promise<string>;
  /** Sends what the publishers have batched. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Batching as upstream's Go client (`DelayThreshold` 10 ms, `CountThreshold` 100, `ByteThreshold`
 * 1 MB): a message waits at most 10 ms for others to share its Publish call.
 */
const BATCHING = { maxMessages: 100, maxMilliseconds: 10, maxBytes: 1_000_000 };

export class PubsubClient implements Publisher, TopicAdmin {
  private readonly client: PubSub;
  private readonly publishers = new Map<string, Topic>();

  constructor(
    projectId: string,
    private readonly publishTimeoutMs: number,
    private readonly adminTimeoutMs: number,
  ) {
    this.client = new PubSub({ projectId });
  }

  async exists(topic: string): Promise<boolean> {
    try {
      await this.client.topic(topic).getMetadata({ timeout: this.adminTimeoutMs });
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async create(topic: string): Promise<void> {
    await this.client.createTopic(topic, { timeout: this.adminTimeoutMs });
  }

  publish(topic: string, data: Buffer, attributes: Record<string, string>): Promise<string> {
    return this.publisher(topic).publishMessage({ data, attributes });
  }

  async flush(): Promise<void> {
    await Promise.all([...this.publishers.values()].map((t) => t.flush()));
  }

  close(): Promise<void> {
    return this.client.close();
  }

  private publisher(topic: string): Topic {
    let t = this.publishers.get(topic);
    if (t === undefined) {
      // gax: `timeout` bounds the Publish call including its retries (UNAVAILABLE, DEADLINE_EXCEEDED, …).
      t = this.client.topic(topic, { batching: BATCHING, gaxOpts: { timeout: this.publishTimeoutMs } });
      this.publishers.set(topic, t);
    }
    return t;
  }
}
