/**
 * The NATS sink in a dispatch lane: subject `<prefix>.<record type>.<VIN>`, data = the payload,
 * headers = the 7 metadata keys.
 *
 * Core NATS: the client buffers the publish and `produce` answers at once; the record counts as
 * published when handed over (core NATS confirms nothing, so it is never a reliable-ack source).
 * JetStream: the record is in flight until the stream's PubAck; then delivered (and confirmed for
 * reliable acks). A PubAck error (stream full with discard new, no stream for the subject, timeout)
 * fails it: `nats_err`, a `nats_err` log line, and no reliable ACK.
 *
 * Bounds (never grow): bytes published while disconnected (`reconnect_buffer_bytes`, reset when the
 * client reconnects and flushes), and for JetStream the records and bytes awaiting a PubAck. Over a
 * bound the record is refused: not ACKed, the vehicle resends (DEVIATIONS.md D6).
 */
import { logError } from '../../../shared/log';
import type { Logger } from '../../../shared/log';
import type { Metrics } from '../../../shared/metrics';
import { PublishMetrics } from '../publish-metrics';
import type { DeliveryConfirmation, ProduceVerdict, Sink, SinkRecord } from '../sink';
import { ACCEPTED } from '../sink';
import { Subjects } from './subjects';

/** What the sink needs of a NATS connection (nats-client.ts; a fake in the unit tests). */
export interface NatsTransport {
  /** Core publish: queued by the client; throws when the connection is closed. */
  publish(subject: string, data: Uint8Array, headers: Readonly<Record<string, string>>): void;
  /** JetStream publish: resolves on the PubAck, rejects on a PubAck error or timeout. */
  publishAcked(subject: string, data: Uint8Array, headers: Readonly<Record<string, string>>): Promise<void>;
  isConnected(): boolean;
  /** Called with `true` on reconnect and `false` on disconnect. */
  onConnectionChange(listener: (connected: boolean) => void): void;
  /** Flushes what the client holds and closes the connection. */
  close(): Promise<void>;
}

export interface NatsSinkOptions {
  subjectPrefix: string;
  jetstream: boolean;
  reconnectBufferBytes: number;
  maxPendingRecords: number;
  maxPendingBytes: number;
  /** How long close waits for PubAcks before it fails the rest. */
  closeTimeoutMs: number;
}

interface Pending {
  readonly recordType: string;
  readonly txid: string;
  readonly vin: string;
  readonly subject: string;
  readonly bytes: number;
  readonly startedAt: number;
  readonly confirm: DeliveryConfirmation | undefined;
}

/** nats.js puts the JetStream API error (e.g. "maximum messages exceeded") beside a bare code. */
function errorText(error: unknown): string {
  const api = (error as { api_error?: { description?: string; err_code?: number } } | undefined)?.api_error;
  if (api?.description !== undefined) return `${api.description} (JetStream err_code ${api.err_code})`;
  return error instanceof Error ? error.message : String(error);
}

export class NatsSink implements Sink {
  private readonly metrics: PublishMetrics;
  private readonly subjects: Subjects;
  private readonly pending = new Set<Pending>();
  private pendingBytes = 0;
  private disconnectedBytes = 0;
  private closing = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly transport: NatsTransport,
    private readonly logger: Logger,
    metrics: Metrics,
    private readonly options: NatsSinkOptions,
  ) {
    this.metrics = new PublishMetrics(metrics, 'nats');
    this.subjects = new Subjects(options.subjectPrefix);
    transport.onConnectionChange((connected) => {
      if (connected) this.disconnectedBytes = 0;
    });
  }

  produce(record: SinkRecord, confirm?: DeliveryConfirmation): ProduceVerdict {
    const refused = this.refusal(record);
    if (refused !== undefined) {
      this.metrics.refused(record.recordType);
      return { accepted: false, reason: `nats: ${refused}` };
    }
    const target = this.subjects.of(record.recordType, record.vin);
    if ('error' in target) {
      this.metrics.refused(record.recordType);
      return { accepted: false, reason: `nats: no valid subject: ${target.error}` };
    }
    const bytes = record.payload.byteLength;
    // A copy: the payload may be a view into a reused batch buffer, and the client keeps it.
    const data = new Uint8Array(record.payload);
    const connected = this.transport.isConnected();
    if (!this.options.jetstream) {
      const startedAt = this.metrics.started();
      try {
        this.transport.publish(target.subject, data, record.metadata as unknown as Record<string, string>);
      } catch (error) {
        this.metrics.failed(record.recordType, startedAt, undefined);
        return { accepted: false, reason: `nats: ${errorText(error)}` };
      }
      if (!connected) this.disconnectedBytes += bytes;
      this.metrics.delivered(record.recordType, bytes, startedAt, undefined);
      return ACCEPTED;
    }
    const p: Pending = {
      recordType: record.recordType,
      txid: record.txid,
      vin: record.vin,
      subject: target.subject,
      bytes,
      startedAt: this.metrics.started(),
      confirm,
    };
    this.pending.add(p);
    this.pendingBytes += bytes;
    if (!connected) this.disconnectedBytes += bytes;
    let acked: Promise<void>;
    try {
      acked = this.transport.publishAcked(target.subject, data, record.metadata as unknown as Record<string, string>);
    } catch (error) {
      acked = Promise.reject(error);
    }
    acked.then(
      () => this.settled(p, undefined),
      (error: unknown) => this.settled(p, errorText(error)),
    );
    return ACCEPTED;
  }

  healthy(): boolean {
    return this.transport.isConnected();
  }

  /** Waits for PubAcks at most `closeTimeoutMs`, fails what is left, then flushes and closes. */
  async close(): Promise<void> {
    this.closing = true;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.options.closeTimeoutMs)));
    await Promise.race([this.idle(), expired]);
    clearTimeout(timer);
    for (const p of [...this.pending]) this.settled(p, `no PubAck within ${this.options.closeTimeoutMs} ms of close`);
    await this.transport.close().catch((error: unknown) => {
      logError(this.logger, 'producer_close_error', errorText(error), { dispatcher: 'nats' });
    });
  }

  /** Why the record cannot be taken now, or undefined. */
  private refusal(record: SinkRecord): string | undefined {
    if (this.closing) return 'closing';
    const bytes = record.payload.byteLength;
    if (!this.transport.isConnected() && this.disconnectedBytes + bytes > this.options.reconnectBufferBytes)
      return `disconnected, reconnect buffer full (${this.disconnectedBytes} bytes)`;
    if (
      this.options.jetstream &&
      (this.pending.size + 1 > this.options.maxPendingRecords || this.pendingBytes + bytes > this.options.maxPendingBytes)
    )
      return `too many records awaiting a PubAck (${this.pending.size} records, ${this.pendingBytes} bytes)`;
    return undefined;
  }

  private idle(): Promise<void> {
    if (this.pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Settles a JetStream publish once: delivered when `error` is undefined. */
  private settled(p: Pending, error: string | undefined): void {
    if (!this.pending.delete(p)) return;
    this.pendingBytes -= p.bytes;
    if (error === undefined) this.metrics.delivered(p.recordType, p.bytes, p.startedAt, p.confirm);
    else {
      logError(this.logger, 'nats_err', error, { subject: p.subject, txid: p.txid, record_type: p.recordType, vin: p.vin });
      this.metrics.failed(p.recordType, p.startedAt, p.confirm);
    }
    if (this.pending.size === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }
}
