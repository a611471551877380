/**
 * A real Redis subscriber (ioredis) that collects what the gateway publishes on channels matching a
 * pattern, and a plain client for the test's own commands (subscriber sets).
 */
import { Cluster, Redis } from 'ioredis';
import { MessageLog } from '../../bench/readback/message-log';

export interface RedisReceived {
  channel: string;
  payload: Buffer;
}

export class RedisReader extends MessageLog<RedisReceived> {
  private constructor(
    private readonly subscriber: Redis | Cluster,
    /** For the test's own commands. */
    readonly client: Redis | Cluster,
  ) {
    super('Redis');
    subscriber.on('pmessageBuffer', (_pattern: Buffer, channel: Buffer, payload: Buffer) =>
      this.add({ channel: channel.toString(), payload }),
    );
  }

  /** `addrs`: one `host:port` (single node) or several (a cluster). */
  static async open(addrs: string[], pattern: string): Promise<RedisReader> {
    const nodes = addrs.map((a) => ({ host: a.slice(0, a.lastIndexOf(':')), port: Number(a.slice(a.lastIndexOf(':') + 1)) }));
    const make = () => (nodes.length > 1 ? new Cluster(nodes) : new Redis({ ...nodes[0], retryStrategy: () => 200 }));
    const subscriber = make();
    const client = make();
    await subscriber.psubscribe(pattern);
    return new RedisReader(subscriber, client);
  }

  byChannel(channel: string): Buffer[] {
    return this.messages.filter((m) => m.channel === channel).map((m) => m.payload);
  }

  async close(): Promise<void> {
    this.subscriber.disconnect();
    this.client.disconnect();
  }
}
