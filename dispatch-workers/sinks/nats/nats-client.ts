/**
 * The real NatsTransport: one nats.js connection per dispatch lane, and its JetStream context when
 * the block enables it. Loaded only where the sink is used.
 */
import { connect, headers as natsHeaders } from 'nats';
import type { JetStreamClient, MsgHdrs, NatsConnection } from 'nats';
import type { NatsBlock } from './config-block';
import { connectionOptions } from './connection-options';
import type { NatsTransport } from './nats-sink';

/** How long close waits for the client to flush before it closes the socket anyway. */
const DRAIN_TIMEOUT_MS = 1_000;

function toHeaders(fields: Readonly<Record<string, string>>): MsgHdrs {
  const h = natsHeaders();
  for (const [key, value] of Object.entries(fields)) h.set(key, value);
  return h;
}

export class NatsClient implements NatsTransport {
  private connected = true;
  private readonly listeners: ((connected: boolean) => void)[] = [];
  private readonly js: JetStreamClient | undefined;

  private constructor(
    readonly connection: NatsConnection,
    private readonly publishTimeoutMs: number,
    jetstream: boolean,
  ) {
    this.js = jetstream ? connection.jetstream() : undefined;
    this.watch().catch(() => undefined); // the status stream ends with the connection
  }

  /** Connects (the first attempt fails startup) and follows the connection's status. */
  static async connect(block: NatsBlock, name: string): Promise<NatsClient> {
    const connection = await connect(connectionOptions(block, name));
    return new NatsClient(connection, block.jetstream.publish_timeout_ms, block.jetstream.enabled);
  }

  publish(subject: string, data: Uint8Array, headers: Readonly<Record<string, string>>): void {
    this.connection.publish(subject, data, { headers: toHeaders(headers) });
  }

  async publishAcked(subject: string, data: Uint8Array, headers: Readonly<Record<string, string>>): Promise<void> {
    if (this.js === undefined) throw new Error('JetStream is not enabled');
    await this.js.publish(subject, data, { headers: toHeaders(headers), timeout: this.publishTimeoutMs });
  }

  isConnected(): boolean {
    return this.connected && !this.connection.isClosed();
  }

  onConnectionChange(listener: (connected: boolean) => void): void {
    this.listeners.push(listener);
  }

  /** Drains (flushes what is buffered), but a server that is away cannot hold the worker's exit. */
  async close(): Promise<void> {
    if (this.connection.isClosed()) return;
    let timer: NodeJS.Timeout | undefined;
    const drained = this.connection.drain().catch(() => undefined);
    await Promise.race([drained, new Promise((resolve) => (timer = setTimeout(resolve, DRAIN_TIMEOUT_MS)))]);
    clearTimeout(timer);
    if (!this.connection.isClosed()) await this.connection.close();
  }

  private async watch(): Promise<void> {
    for await (const status of this.connection.status()) {
      const connected = status.type === 'reconnect' ? true : status.type === 'disconnect' ? false : undefined;
      if (connected === undefined) continue;
      this.connected = connected;
      for (const listener of this.listeners) listener(connected);
    }
  }
}
