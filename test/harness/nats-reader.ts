/**
 * Reads what the NATS sink published, with the official client: a core subscription for core NATS,
 * and the stored messages of a JetStream stream (read one by one by sequence, so a test sees exactly
 * what the server kept, restarts included).
 */
import { connect } from 'nats';
import type { JetStreamManager, MsgHdrs, NatsConnection, StreamConfig, Subscription } from 'nats';
import { MessageLog } from '../../bench/readback/message-log';

export interface NatsMessage {
  subject: string;
  data: Uint8Array;
  headers: Record<string, string>;
}

function headerMap(h: MsgHdrs | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (h !== undefined) for (const key of h.keys()) out[key] = h.get(key);
  return out;
}

export class NatsReader extends MessageLog<NatsMessage> {
  private readonly subscriptions: Subscription[] = [];

  private constructor(
    private readonly connection: NatsConnection,
    private readonly jsm: JetStreamManager | undefined,
  ) {
    super('NATS');
  }

  static async connect(url: string, jetstream: boolean): Promise<NatsReader> {
    const connection = await connect({ servers: url, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
    // JetStream API calls wait up to 30 s (the default 5 s is short for a server recovering its store on a busy machine).
    return new NatsReader(connection, jetstream ? await connection.jetstreamManager({ timeout: 30_000 }) : undefined);
  }

  /** Collects every core message on `subject` (wildcards allowed) from now on. */
  async subscribe(subject: string): Promise<void> {
    const sub = this.connection.subscribe(subject, {
      callback: (error, msg) => {
        if (error !== null) return;
        this.add({ subject: msg.subject, data: msg.data, headers: headerMap(msg.headers) });
      },
    });
    this.subscriptions.push(sub);
    await this.connection.flush();
  }

  private manager(): JetStreamManager {
    if (this.jsm === undefined) throw new Error('NatsReader: connected without JetStream');
    return this.jsm;
  }

  async addStream(config: Partial<StreamConfig> & { name: string }): Promise<void> {
    await this.manager().streams.add(config);
  }

  async streamExists(name: string): Promise<boolean> {
    return this.manager()
      .streams.info(name)
      .then(
        () => true,
        () => false,
      );
  }

  /** Deletes the streams whose name ends with `suffix` (a test run's own), so the store does not grow. */
  async deleteStreams(suffix: string): Promise<void> {
    const jsm = this.manager();
    for (const name of await jsm.streams.names().next()) if (name.endsWith(suffix)) await jsm.streams.delete(name);
  }

  /** Every message the stream holds, in sequence order. */
  async streamMessages(name: string): Promise<NatsMessage[]> {
    const jsm = this.manager();
    const info = await jsm.streams.info(name);
    const out: NatsMessage[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
      const m = await jsm.streams.getMessage(name, { seq });
      out.push({ subject: m.subject, data: m.data, headers: headerMap(m.header) });
    }
    return out;
  }

  async close(): Promise<void> {
    await this.connection.close();
  }
}
