/**
 * The Redis sink (PROTOCOL.md §10.6) in a dispatch lane. Per record: with `subscriber_set_prefix`,
 * purge the expired leases of the vehicle's subscriber set and read its channels; with
 * `publish_vin_topics`, add the VIN channel; then PUBLISH the payload to each channel in order,
 * stopping at the first failure. `produce` starts this and answers at once.
 *
 * Verdicts: started ⇒ accepted (without reliable acks the ACK goes out now); not connected, more
 * than `max_buffered_records` in flight, or closing ⇒ refused: no ACK (DEVIATIONS.md D6). A record
 * is delivered when every PUBLISH succeeded, also with zero channels (§9).
 */
import { logError } from '../../../shared/log';
import type { Logger } from '../../../shared/log';
import type { Counter, DeliveryTracker, Metrics } from '../../../shared/metrics';
import type { DeliveryConfirmation, ProduceVerdict, Sink, SinkRecord } from '../sink';
import { ACCEPTED } from '../sink';
import { expiredLeaseBound, subscriberSetKey, vinChannel } from './channels';
import { settledWithin } from '../../../shared/deadline';

/** What the sink needs of a Redis client (redis-client.ts wraps ioredis). */
export interface RedisCommands {
  readonly ready: boolean;
  publish(channel: string, payload: Buffer): Promise<unknown>;
  /** ZREMRANGEBYSCORE key -inf <bound>, then ZRANGE key 0 -1 (pipelined). */
  purgeAndList(key: string, bound: string): Promise<string[]>;
  close(): Promise<void>;
}

export interface RedisSinkOptions {
  namespace: string;
  publishVinTopics: boolean;
  subscriberSetPrefix: string;
  maxBufferedRecords: number;
  /**
   * Run a VIN's records one after the other. Needed with a cluster: PUBLISH carries no key, so the
   * client sends it to any node, and two records in flight could reach a channel out of order.
   */
  orderPerVin: boolean;
  now?: () => number;
}

/** Close waits for publishes at most this long: the primary stops a worker 5 s after its drain deadline. */
export const CLOSE_FLUSH_TIMEOUT_MS = 4_000;

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export class RedisSink implements Sink {
  private readonly errors: Counter<'record_type'>;
  private readonly published: Counter<'record_type'>;
  private readonly publishedBytes: Counter<'record_type'>;
  private readonly reliableAcks: Counter<'record_type'>;
  private readonly delivery: DeliveryTracker;
  private inFlight = 0;
  private closing = false;
  private idleWaiters: (() => void)[] = [];
  /** orderPerVin: the last record of each VIN still in flight. */
  private readonly tails = new Map<string, Promise<void>>();
  private readonly now: () => number;

  constructor(
    private readonly redis: RedisCommands,
    private readonly logger: Logger,
    metrics: Metrics,
    private readonly options: RedisSinkOptions,
  ) {
    this.errors = metrics.counter('redis_err', ['record_type']);
    this.published = metrics.counter('redis_publish_total', ['record_type']);
    this.publishedBytes = metrics.counter('redis_publish_total_bytes', ['record_type']);
    this.reliableAcks = metrics.counter('redis_reliable_ack_total', ['record_type']);
    this.delivery = metrics.delivery('redis');
    this.now = options.now ?? Date.now;
  }

  produce(record: SinkRecord, confirm?: DeliveryConfirmation): ProduceVerdict {
    if (this.closing) return { accepted: false, reason: 'redis: closing' };
    if (!this.redis.ready) {
      this.errors.inc({ record_type: record.recordType });
      return { accepted: false, reason: 'redis: not connected to the server' };
    }
    if (this.inFlight >= this.options.maxBufferedRecords)
      return { accepted: false, reason: `redis: buffer full (${this.inFlight} records being published)` };
    this.inFlight++;
    // Buffer.from copies: the payload may be a view into a reused batch buffer.
    const payload = Buffer.from(record.payload);
    const { recordType, vin, txid } = record;
    const startedAt = this.delivery.started();
    const run = () => this.dispatch(recordType, vin, txid, payload).then((ok) => this.settled(recordType, startedAt, ok, confirm));
    if (!this.options.orderPerVin) {
      void run();
      return ACCEPTED;
    }
    const tail = (this.tails.get(vin) ?? Promise.resolve()).then(run);
    this.tails.set(vin, tail);
    void tail.then(() => {
      if (this.tails.get(vin) === tail) this.tails.delete(vin);
    });
    return ACCEPTED;
  }

  healthy(): boolean {
    return this.redis.ready;
  }

  /** Waits for what is in flight (at most CLOSE_FLUSH_TIMEOUT_MS), then closes the connection. */
  async close(): Promise<void> {
    this.closing = true;
    await settledWithin(this.idle(), CLOSE_FLUSH_TIMEOUT_MS);
    await this.redis.close();
  }

  /** Never rejects: failures are counted and logged here. */
  private async dispatch(recordType: string, vin: string, txid: string, payload: Buffer): Promise<boolean> {
    const { namespace, subscriberSetPrefix, publishVinTopics } = this.options;
    const labels = { record_type: recordType };
    let channels: string[] = [];
    if (subscriberSetPrefix !== '') {
      try {
        channels = await this.redis.purgeAndList(
          subscriberSetKey(subscriberSetPrefix, namespace, recordType, vin),
          expiredLeaseBound(this.now()),
        );
      } catch (error) {
        this.errors.inc(labels);
        logError(this.logger, 'redis_err', errorText(error), { vin, tx_type: recordType, txid });
        return false;
      }
    }
    if (publishVinTopics) channels.push(vinChannel(namespace, recordType, vin));
    for (const channel of channels) {
      try {
        await this.redis.publish(channel, payload);
      } catch (error) {
        this.errors.inc(labels);
        logError(this.logger, 'redis_err', errorText(error), { channel, vin, tx_type: recordType, txid });
        return false;
      }
      this.published.inc(labels);
      this.publishedBytes.inc(labels, payload.byteLength);
    }
    return true;
  }

  private settled(recordType: string, startedAt: number, ok: boolean, confirm: DeliveryConfirmation | undefined): void {
    this.delivery.settled(startedAt, ok);
    if (confirm !== undefined) {
      if (ok) this.reliableAcks.inc({ record_type: recordType });
      confirm(ok);
    }
    if (--this.inFlight === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}
