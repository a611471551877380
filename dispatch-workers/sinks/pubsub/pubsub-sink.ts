/**
 * The Pub/Sub sink (PROTOCOL.md §10.3) in a dispatch lane: topic `<namespace>_<record type>`,
 * data = the payload, attributes = the 7 metadata keys. Unlike upstream, which waits for each
 * publish result on the vehicle's read path, `produce` hands the record to the client's batching
 * publisher and answers at once; the result arrives later.
 *
 * Verdicts: handed over ⇒ accepted (without reliable acks the ACK goes out now; above the
 * high-water mark, half the bounds, it waits until the publish has settled: back-pressure); more
 * than the bound in flight, or closing ⇒ refused: no ACK, the vehicle resends (DEVIATIONS.md D6). A publish
 * that fails for good (after the client's retries, within `publish_timeout_ms`) is counted
 * (`pubsub_err`), logged (`pubsub_err`) and, for a reliable-ack type, confirmed as not delivered.
 * A publish resolved with a message id is delivered (§9).
 */
import { topicName } from '../../../shared/record';
import { logError } from '../../../shared/log';
import type { Logger } from '../../../shared/log';
import type { Metrics } from '../../../shared/metrics';
import { PublishMetrics } from '../publish-metrics';
import type { DeliveryConfirmation, ProduceVerdict, Sink, SinkRecord } from '../sink';
import { HighWaterMark } from '../high-water';
import type { Publisher } from './pubsub-client';
import { errorText } from './topic-provisioning';

interface InFlight {
  readonly recordType: string;
  readonly txid: string;
  readonly vin: string;
  readonly topic: string;
  readonly bytes: number;
  readonly startedAt: number;
  readonly confirm: DeliveryConfirmation | undefined;
  /** Set when the record holds its frame's reply (above the high-water mark). */
  release: DeliveryConfirmation | undefined;
}

export interface PubsubSinkOptions {
  namespace: string;
  maxBufferedRecords: number;
  maxBufferedBytes: number;
  /** How long close waits for what is in flight before it fails it. */
  closeTimeoutMs: number;
}

/** Close waits for publishes at most this long: the primary stops a worker 5 s after its drain deadline. */
export const CLOSE_FLUSH_TIMEOUT_MS = 4_000;

export class PubsubSink implements Sink {
  private readonly metrics: PublishMetrics;
  private readonly highWater: HighWaterMark;
  private readonly inFlight = new Set<InFlight>();
  private readonly topics = new Map<string, string>();
  private bufferedBytes = 0;
  private closing = false;
  private idleWaiters: (() => void)[] = [];
  /** false after a publish failed until one succeeds. */
  private reachable = true;

  constructor(
    private readonly publisher: Publisher,
    private readonly logger: Logger,
    metrics: Metrics,
    private readonly options: PubsubSinkOptions,
  ) {
    this.metrics = new PublishMetrics(metrics, 'pubsub');
    this.highWater = new HighWaterMark(options.maxBufferedRecords, options.maxBufferedBytes);
  }

  produce(record: SinkRecord, confirm?: DeliveryConfirmation): ProduceVerdict {
    if (this.closing) return { accepted: false, reason: 'pubsub: closing' };
    const bytes = record.payload.byteLength;
    if (this.inFlight.size + 1 > this.options.maxBufferedRecords || this.bufferedBytes + bytes > this.options.maxBufferedBytes)
      return { accepted: false, reason: `pubsub: buffer full (${this.inFlight.size} records, ${this.bufferedBytes} bytes in flight)` };
    const topic = this.topicOf(record.recordType);
    const r: InFlight = {
      recordType: record.recordType,
      txid: record.txid,
      vin: record.vin,
      topic,
      bytes,
      startedAt: this.metrics.started(),
      confirm,
      release: undefined,
    };
    this.inFlight.add(r);
    this.bufferedBytes += bytes;
    // Buffer.from copies: the payload may be a view into a reused batch buffer.
    const data = Buffer.from(record.payload);
    const attributes: Record<string, string> = { ...record.metadata };
    let published: Promise<string>;
    try {
      published = this.publisher.publish(topic, data, attributes);
    } catch (error) {
      published = Promise.reject(error);
    }
    published.then(
      () => this.delivered(r),
      (error: unknown) => this.failed(r, errorText(error)),
    );
    return this.highWater.verdict(r, this.inFlight.size, this.bufferedBytes, confirm !== undefined);
  }

  healthy(): boolean {
    return this.reachable;
  }

  /** Publishes what is batched and waits for the results, for at most `closeTimeoutMs`; the rest fails. */
  async close(): Promise<void> {
    this.closing = true;
    const flushed = this.publisher.flush().catch((error: unknown) => {
      logError(this.logger, 'producer_close_error', errorText(error), { dispatcher: 'pubsub' });
    });
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.options.closeTimeoutMs)));
    await Promise.race([Promise.all([flushed, this.idle()]), expired]);
    clearTimeout(timer);
    for (const r of [...this.inFlight]) this.failed(r, `not published within ${this.options.closeTimeoutMs} ms of close`);
    await this.publisher.close().catch((error: unknown) => {
      logError(this.logger, 'producer_close_error', errorText(error), { dispatcher: 'pubsub' });
    });
  }

  private idle(): Promise<void> {
    if (this.inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private topicOf(recordType: string): string {
    let topic = this.topics.get(recordType);
    if (topic === undefined) {
      topic = topicName(this.options.namespace, recordType);
      this.topics.set(recordType, topic);
    }
    return topic;
  }

  /** Removes a record from the in-flight set; false when it was already settled (close gave up on it). */
  private settle(r: InFlight): boolean {
    if (!this.inFlight.delete(r)) return false;
    this.bufferedBytes -= r.bytes;
    if (this.inFlight.size === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
    return true;
  }

  private delivered(r: InFlight): void {
    if (!this.settle(r)) return;
    this.reachable = true;
    this.metrics.delivered(r.recordType, r.bytes, r.startedAt, r.confirm);
    r.release?.(true);
  }

  private failed(r: InFlight, error: string): void {
    if (!this.settle(r)) return;
    this.reachable = false;
    logError(this.logger, 'pubsub_err', error, { topic_name: r.topic, txid: r.txid, record_type: r.recordType, vin: r.vin });
    this.metrics.failed(r.recordType, r.startedAt, r.confirm);
    r.release?.(false);
  }
}
