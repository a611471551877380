/**
 * Batches records into Kinesis PutRecords calls (unlike upstream's one synchronous PutRecord per
 * record on the vehicle's read path, PROTOCOL.md §10.2) while keeping each VIN's records in order.
 *
 * - Records queue per (stream, partition key = VIN). A key with a record in a call, or waiting to
 *   retry one, sends nothing else: PutRecords processes every entry even when an earlier one
 *   failed, so two records of one VIN in one call could land out of order (the AWS API reference
 *   says so: "PutRecords doesn't guarantee the ordering of records"). A call therefore carries at
 *   most one record per VIN, and many VINs share it.
 * - Keys ready to send wait in one FIFO per stream; a call takes them in order up to the limits
 *   (500 records, 5 MiB). Up to `maxCallsPerStream` calls run at once, so no VIN waits for another
 *   VIN's slow call or retry, only for a free call slot.
 * - A failed entry (or a call failed as a whole) is retried after a backoff while attempts remain;
 *   its key waits, the others go on. Then it is delivered or failed for good, exactly once.
 * - The buffer is bounded (records and bytes, in flight included): `enqueue` answers `full`.
 */
import { Fifo } from './fifo';
import { PUT_RECORDS_LIMITS, fitsRequest } from './put-records-limits';
import type { PutRecordsLimits } from './put-records-limits';
import { describeError, isRetryableCallError, isRetryableEntryError, retryDelayMs } from './retry-policy';

export interface PutEntry {
  readonly data: Uint8Array;
  readonly partitionKey: string;
}

export type EntryOutcome = { ok: true; shardId: string; sequenceNumber: string } | { ok: false; code: string; message: string };

/** One PutRecords call: one outcome per entry, in order; rejects when the call failed as a whole. */
export type PutRecordsCall = (stream: string, entries: readonly PutEntry[]) => Promise<EntryOutcome[]>;

export interface DeliveryEvents<T> {
  delivered(item: T, shardId: string, sequenceNumber: string): void;
  /** Failed for good (attempts exhausted, a permanent error, or not sent before close). */
  failed(item: T, error: string): void;
  /** A failed attempt that will be retried (for debug logs). */
  retrying?(item: T, error: string, attempt: number, delayMs: number): void;
  /** Every call's result as a whole: `undefined` when the service answered, else the error. */
  callSettled?(error: string | undefined): void;
}

export interface BatcherOptions {
  /** Attempts per record: 1 + `kinesis.max_retries`. */
  attempts: number;
  maxBufferedRecords: number;
  maxBufferedBytes: number;
  maxCallsPerStream: number;
  limits?: PutRecordsLimits;
  retryDelayMs?: (attempt: number) => number;
}

export type EnqueueResult = 'queued' | 'full' | 'closed';

interface Queued<T> {
  readonly entry: PutEntry;
  readonly size: number;
  readonly item: T;
  attempts: number;
}

/** The records of one (stream, VIN), oldest first. Its head is the only one that may be in a call. */
interface KeyQueue<T> {
  readonly key: string;
  readonly stream: StreamState<T>;
  readonly records: Queued<T>[];
  state: 'idle' | 'ready' | 'in-call' | 'retry-wait';
  timer: NodeJS.Timeout | undefined;
}

interface StreamState<T> {
  readonly name: string;
  readonly ready: Fifo<KeyQueue<T>>;
  calls: number;
}

export class PutRecordsBatcher<T> {
  private readonly streams = new Map<string, StreamState<T>>();
  private readonly keys = new Map<string, KeyQueue<T>>();
  private readonly limits: PutRecordsLimits;
  private readonly delayOf: (attempt: number) => number;
  private bufferedRecords = 0;
  private bufferedBytes = 0;
  private flushScheduled = false;
  private closing = false;
  /** Set when close gave up: late call results are ignored. */
  private abandoned = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly putRecords: PutRecordsCall,
    private readonly events: DeliveryEvents<T>,
    private readonly options: BatcherOptions,
  ) {
    this.limits = options.limits ?? PUT_RECORDS_LIMITS;
    this.delayOf = options.retryDelayMs ?? ((attempt) => retryDelayMs(attempt));
  }

  /** Records queued or in a call. */
  get buffered(): { records: number; bytes: number } {
    return { records: this.bufferedRecords, bytes: this.bufferedBytes };
  }

  /** Queues one record; `data` must not change afterwards (the caller passes a copy). */
  enqueue(stream: string, partitionKey: string, data: Uint8Array, size: number, item: T): EnqueueResult {
    if (this.closing) return 'closed';
    if (this.bufferedRecords + 1 > this.options.maxBufferedRecords || this.bufferedBytes + size > this.options.maxBufferedBytes)
      return 'full';
    const key = `${stream}\u0000${partitionKey}`;
    let queue = this.keys.get(key);
    if (queue === undefined) {
      queue = { key, stream: this.streamState(stream), records: [], state: 'idle', timer: undefined };
      this.keys.set(key, queue);
    }
    queue.records.push({ entry: { data, partitionKey }, size, item, attempts: 0 });
    this.bufferedRecords++;
    this.bufferedBytes += size;
    if (queue.state === 'idle') this.markReady(queue);
    return 'queued';
  }

  /** Resolves when nothing is buffered. */
  idle(): Promise<void> {
    if (this.bufferedRecords === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Refuses new records and sends what is buffered, retries included, for at most `timeoutMs`;
   * what is still buffered then fails for good (`failed`, once per record).
   */
  async close(timeoutMs: number): Promise<void> {
    this.closing = true;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      this.idle().then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), timeoutMs))),
    ]);
    clearTimeout(timer);
    if (!timedOut) return;
    this.abandoned = true;
    const reason = `not delivered within ${timeoutMs} ms of close`;
    for (const queue of this.keys.values()) {
      if (queue.timer !== undefined) clearTimeout(queue.timer);
      for (const record of queue.records) this.events.failed(record.item, reason);
    }
    this.keys.clear();
    this.streams.clear();
    this.bufferedRecords = 0;
    this.bufferedBytes = 0;
    this.notifyIdle();
  }

  private streamState(name: string): StreamState<T> {
    let state = this.streams.get(name);
    if (state === undefined) {
      state = { name, ready: new Fifo<KeyQueue<T>>(), calls: 0 };
      this.streams.set(name, state);
    }
    return state;
  }

  private markReady(queue: KeyQueue<T>): void {
    queue.state = 'ready';
    queue.stream.ready.push(queue);
    this.scheduleFlush();
  }

  /** Records produced in one event-loop turn (one dispatch batch) share the next calls. */
  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    if (this.abandoned) return;
    for (const stream of this.streams.values()) {
      while (stream.calls < this.options.maxCallsPerStream && stream.ready.length > 0) this.startCall(stream);
    }
  }

  private startCall(stream: StreamState<T>): void {
    const batch: KeyQueue<T>[] = [];
    let bytes = 0;
    for (let queue = stream.ready.peek(); queue !== undefined; queue = stream.ready.peek()) {
      const head = queue.records[0];
      if (batch.length > 0 && !fitsRequest(batch.length, bytes, head.size, this.limits)) break;
      stream.ready.shift();
      queue.state = 'in-call';
      head.attempts++;
      batch.push(queue);
      bytes += head.size;
    }
    stream.calls++;
    const entries = batch.map((queue) => queue.records[0].entry);
    let call: Promise<EntryOutcome[]>;
    try {
      call = this.putRecords(stream.name, entries);
    } catch (error) {
      call = Promise.reject(error);
    }
    call.then(
      (outcomes) => this.callAnswered(stream, batch, outcomes),
      (error: unknown) => this.callFailed(stream, batch, error),
    );
  }

  private callAnswered(stream: StreamState<T>, batch: KeyQueue<T>[], outcomes: EntryOutcome[]): void {
    if (this.abandoned) return;
    this.events.callSettled?.(undefined);
    batch.forEach((queue, i) => {
      const outcome: EntryOutcome = outcomes[i] ?? { ok: false, code: 'InternalFailure', message: 'no result for this entry' };
      if (outcome.ok) this.settleHead(queue, (item) => this.events.delivered(item, outcome.shardId, outcome.sequenceNumber));
      else this.attemptFailed(queue, `${outcome.code}: ${outcome.message}`, isRetryableEntryError(outcome.code));
    });
    this.callDone(stream);
  }

  private callFailed(stream: StreamState<T>, batch: KeyQueue<T>[], error: unknown): void {
    if (this.abandoned) return;
    const text = describeError(error);
    this.events.callSettled?.(text);
    const retryable = isRetryableCallError(error);
    for (const queue of batch) this.attemptFailed(queue, text, retryable);
    this.callDone(stream);
  }

  private callDone(stream: StreamState<T>): void {
    stream.calls--;
    this.scheduleFlush();
  }

  private attemptFailed(queue: KeyQueue<T>, error: string, retryable: boolean): void {
    const head = queue.records[0];
    if (!retryable || head.attempts >= this.options.attempts) {
      this.settleHead(queue, (item) => this.events.failed(item, error));
      return;
    }
    const delay = this.delayOf(head.attempts);
    this.events.retrying?.(head.item, error, head.attempts, delay);
    queue.state = 'retry-wait';
    queue.timer = setTimeout(() => {
      queue.timer = undefined;
      if (!this.abandoned) this.markReady(queue);
    }, delay);
  }

  /** The head left the buffer (delivered or failed for good); the key's next record may go. */
  private settleHead(queue: KeyQueue<T>, report: (item: T) => void): void {
    const head = queue.records.shift() as Queued<T>;
    this.bufferedRecords--;
    this.bufferedBytes -= head.size;
    if (queue.records.length > 0) this.markReady(queue);
    else {
      queue.state = 'idle';
      this.keys.delete(queue.key);
    }
    report(head.item);
    if (this.bufferedRecords === 0) this.notifyIdle();
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
