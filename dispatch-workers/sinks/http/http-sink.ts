/**
 * The HTTP webhook sink in a dispatch lane. `produce` encodes the record to its JSON text, queues it
 * (vin-queue.ts) and answers at once; requests carry up to `max_records` / `max_bytes`, leave when
 * full or `max_delay_ms` after a record became ready, at most `max_concurrent_requests` at a time.
 *
 * A request is retried whole (retry-policy.ts) and its VINs have nothing else in flight meanwhile,
 * so per-VIN order survives retries. Its records are delivered on a 2xx (reliable ACKs go out then),
 * failed for good otherwise: `http_err`, an `http_err` log line with the status, no reliable ACK.
 * Records queued or in flight are bounded; beyond, `produce` refuses (no ACK, DEVIATIONS.md D6).
 */
import { logError } from '../../../shared/log';
import type { Logger } from '../../../shared/log';
import type { Metrics } from '../../../shared/metrics';
import { PublishMetrics } from '../publish-metrics';
import type { DeliveryConfirmation, ProduceVerdict, Sink, SinkRecord } from '../sink';
import { ACCEPTED } from '../sink';
import { bodyLength, recordJson, requestBody } from './request-body';
import type { BodyOptions } from './request-body';
import { decide } from './retry-policy';
import type { PostResult, RetryOptions } from './retry-policy';
import { VinQueue } from './vin-queue';

/** What the sink needs of the receiver (webhook-client.ts; a fake in the unit tests). */
export interface WebhookPoster {
  post(body: Buffer, headers: Readonly<Record<string, string>>): Promise<PostResult>;
  close(): Promise<void>;
}

export interface HttpSinkOptions {
  body: BodyOptions;
  retry: RetryOptions;
  /** Records whose payload is JSON text (`transmit_decoded_records` and a known record type). */
  payloadIsJson: (recordType: string) => boolean;
  maxRecords: number;
  maxBytes: number;
  maxDelayMs: number;
  maxConcurrent: number;
  maxQueuedRecords: number;
  maxQueuedBytes: number;
  closeTimeoutMs: number;
}

interface Entry {
  readonly vin: string;
  readonly bytes: number;
  readonly json: string;
  readonly recordType: string;
  readonly txid: string;
  readonly startedAt: number;
  readonly confirm: DeliveryConfirmation | undefined;
}

export class HttpSink implements Sink {
  private readonly metrics: PublishMetrics;
  private readonly queue = new VinQueue<Entry>();
  /** Every record queued or in flight and not yet settled. */
  private readonly unsettled = new Set<Entry>();
  private unsettledBytes = 0;
  private requests = 0;
  private due = false;
  private timer: NodeJS.Timeout | undefined;
  private closing = false;
  private reachable = true;
  private idleWaiters: (() => void)[] = [];
  private readonly size: (count: number, bytes: number) => number;

  constructor(
    private readonly poster: WebhookPoster,
    private readonly logger: Logger,
    metrics: Metrics,
    private readonly options: HttpSinkOptions,
  ) {
    this.metrics = new PublishMetrics(metrics, 'http');
    this.size = (count, bytes) => bodyLength(options.body.format, count, bytes);
  }

  produce(record: SinkRecord, confirm?: DeliveryConfirmation): ProduceVerdict {
    if (this.closing) return this.refuse(record, 'closing');
    const json = recordJson(record, this.options.payloadIsJson(record.recordType));
    const bytes = Buffer.byteLength(json);
    if (this.unsettled.size + 1 > this.options.maxQueuedRecords || this.unsettledBytes + bytes > this.options.maxQueuedBytes)
      return this.refuse(record, `queue full (${this.unsettled.size} records, ${this.unsettledBytes} bytes)`);
    const entry: Entry = {
      vin: record.vin,
      bytes,
      json,
      recordType: record.recordType,
      txid: record.txid,
      startedAt: this.metrics.started(),
      confirm,
    };
    this.unsettled.add(entry);
    this.unsettledBytes += bytes;
    this.queue.push(entry);
    this.pump();
    return ACCEPTED;
  }

  healthy(): boolean {
    return this.reachable;
  }

  /** Sends everything queued, waits at most `closeTimeoutMs`, fails what is left. */
  async close(): Promise<void> {
    this.closing = true;
    this.due = true;
    this.pump();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.options.closeTimeoutMs)));
    await Promise.race([this.idle(), expired]);
    clearTimeout(timer);
    clearTimeout(this.timer);
    this.queue.drain();
    const left = [...this.unsettled];
    if (left.length > 0)
      logError(this.logger, 'http_err', `not delivered within ${this.options.closeTimeoutMs} ms of close`, { records: left.length });
    for (const e of left) this.failed(e);
    await this.poster.close();
  }

  private refuse(record: SinkRecord, why: string): ProduceVerdict {
    this.metrics.refused(record.recordType);
    return { accepted: false, reason: `http: ${why}` };
  }

  /** Starts requests while slots are free and a full request (or an overdue one) is ready. */
  private pump(): void {
    const o = this.options;
    while (this.requests < o.maxConcurrent && this.queue.readyRecords > 0) {
      const full = this.queue.readyRecords >= o.maxRecords || this.size(this.queue.readyRecords, this.queue.readyBytes) >= o.maxBytes;
      if (!full && !this.due) break;
      this.requests++;
      void this.send(this.queue.take(o.maxRecords, o.maxBytes, this.size));
    }
    if (this.queue.readyRecords === 0) this.due = false;
    else if (!this.due && this.timer === undefined)
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.due = true;
        this.pump();
      }, o.maxDelayMs);
  }

  /** One request, retried whole until delivered or failed for good. */
  private async send(batch: Entry[]): Promise<void> {
    const body = requestBody(
      batch.map((e) => e.json),
      this.options.body,
    );
    for (let retry = 0; ; retry++) {
      const decision = decide(await this.poster.post(body.bytes, body.headers), retry, this.options.retry);
      if (decision.kind === 'delivered') {
        this.reachable = true;
        for (const e of batch) this.delivered(e);
        break;
      }
      if (decision.kind === 'retry' && !this.closing) {
        this.reachable = false;
        await new Promise((resolve) => setTimeout(resolve, decision.delayMs));
        continue;
      }
      const why = decision.kind === 'failed' ? decision.why : `${decision.why} (closing: not retried)`;
      logError(this.logger, 'http_err', why, { records: batch.length, first_txid: batch[0].txid, record_type: batch[0].recordType });
      for (const e of batch) this.failed(e);
      break;
    }
    this.requests--;
    this.queue.release(new Set(batch.map((e) => e.vin)));
    this.pump();
  }

  private settle(e: Entry): boolean {
    if (!this.unsettled.delete(e)) return false;
    this.unsettledBytes -= e.bytes;
    if (this.unsettled.size === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
    return true;
  }

  private delivered(e: Entry): void {
    if (this.settle(e)) this.metrics.delivered(e.recordType, e.bytes, e.startedAt, e.confirm);
  }

  private failed(e: Entry): void {
    if (this.settle(e)) this.metrics.failed(e.recordType, e.startedAt, e.confirm);
  }

  private idle(): Promise<void> {
    if (this.unsettled.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}
