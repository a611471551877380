/**
 * The batcher: collects the frames of one event-loop turn per lane into one transferable buffer
 * (never one postMessage per frame, ARCHITECTURE.md "Batching") and hands each entry's verdict
 * back to the session that sent it. Buffers come back with the result and are reused.
 */
import { performance } from 'node:perf_hooks';
import { INDEX_STRIDE, Outcome } from '../shared/batch';
import type { DispatchBatch, DispatchResult, EntryKind, SessionIdentity } from '../shared/batch';

/** Who receives an entry's verdict: a session. */
export interface EntryOwner {
  readonly identity: SessionIdentity;
  settle(outcome: Outcome, reply: Uint8Array | undefined, recordType: string, pendingId: number): void;
  /** Runs `settle` calls so that the replies they write are sent together. */
  corked(settleAll: () => void): void;
}

export interface BatchLimits {
  maxFrames: number;
  maxBytes: number;
}

type RunBatch = (batch: DispatchBatch) => Promise<DispatchResult>;
/** Sees a result before its entries are settled, e.g. to fold in main-thread sinks' verdicts. */
type BeforeSettle = (result: DispatchResult, owners: readonly EntryOwner[]) => void;

/** Watches batches for metrics (PROTOCOL.md §11.2 counts travel in `result.metrics`). */
export interface BatchObserver {
  /** A batch left for its lane. */
  flushed(entries: number, bytes: number): void;
  /** Its result came back `seconds` after it left, before its entries are settled. */
  returned(result: DispatchResult, seconds: number): void;
}

export class LaneBatcher {
  private frames: ArrayBuffer;
  private index: Float64Array;
  private view: Uint8Array;
  private used = 0;
  private entries = 0;
  private owners: EntryOwner[] = [];
  private sessions: SessionIdentity[] = [];
  private slots = new Map<EntryOwner, number>();
  private scheduled = false;
  private readonly spareFrames: ArrayBuffer[] = [];
  private readonly spareIndex: ArrayBuffer[] = [];
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly limits: BatchLimits,
    private readonly runBatch: RunBatch,
    private readonly onError: (error: unknown, owners: readonly EntryOwner[]) => void,
    private readonly beforeSettle?: BeforeSettle,
    private readonly observer?: BatchObserver,
  ) {
    this.frames = new ArrayBuffer(limits.maxBytes);
    this.view = new Uint8Array(this.frames);
    this.index = new Float64Array(limits.maxFrames * INDEX_STRIDE);
  }

  /** Queues one entry. `bytes` is copied: uWS message buffers are only valid during the callback. */
  add(owner: EntryOwner, kind: EntryKind, bytes: Uint8Array | undefined, receivedAt: number): void {
    const length = bytes?.length ?? 0;
    if (this.entries > 0 && this.used + length > this.view.length) this.flush();
    if (length > this.view.length) this.useOversizeBuffer(length);

    let slot = this.slots.get(owner);
    if (slot === undefined) {
      slot = this.sessions.length;
      this.sessions.push(owner.identity);
      this.slots.set(owner, slot);
    }
    const at = this.entries * INDEX_STRIDE;
    this.index[at] = kind;
    this.index[at + 1] = slot;
    this.index[at + 2] = this.used;
    this.index[at + 3] = length;
    this.index[at + 4] = receivedAt;
    if (bytes !== undefined) this.view.set(bytes, this.used);
    this.used += length;
    this.owners.push(owner);
    this.entries++;

    if (this.entries >= this.limits.maxFrames) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flushUnlessBusy());
    }
  }

  /**
   * Natural batching: while the lane still works on a batch, frames keep collecting and go when it
   * returns (or when a limit is reached), so a loaded lane gets fewer, fuller batches and an idle one
   * still sends a lone frame at once.
   */
  private flushUnlessBusy(): void {
    this.scheduled = false;
    if (this.inFlight === 0) this.flush();
  }

  /** Batches handed to the lane whose result has not come back. */
  get batchesInFlight(): number {
    return this.inFlight;
  }

  /** Resolves when every queued entry has been handed to the lane and its verdict delivered. */
  idle(): Promise<void> {
    if (this.entries === 0 && this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  flush(): void {
    this.scheduled = false;
    if (this.entries === 0) return;
    const batch: DispatchBatch = {
      frames: this.frames,
      index: this.index.buffer as ArrayBuffer,
      entries: this.entries,
      sessions: this.sessions,
    };
    const owners = this.owners;
    const sentAt = this.observer === undefined ? 0 : performance.now();
    this.observer?.flushed(this.entries, this.used);
    this.frames = this.spareFrames.pop() ?? new ArrayBuffer(this.limits.maxBytes);
    this.view = new Uint8Array(this.frames);
    const index = this.spareIndex.pop();
    this.index = index ? new Float64Array(index) : new Float64Array(this.limits.maxFrames * INDEX_STRIDE);
    this.used = 0;
    this.entries = 0;
    this.owners = [];
    this.sessions = [];
    this.slots = new Map();

    this.inFlight++;
    this.runBatch(batch).then(
      (result) => {
        this.observer?.returned(result, (performance.now() - sentAt) / 1000);
        this.deliver(result, owners);
        this.finished();
      },
      (error: unknown) => {
        this.onError(error, owners);
        this.finished();
      },
    );
  }

  private deliver(result: DispatchResult, owners: readonly EntryOwner[]): void {
    if (result.frames.byteLength === this.limits.maxBytes) this.spareFrames.push(result.frames);
    this.spareIndex.push(result.index);
    this.beforeSettle?.(result, owners);
    const { outcomes, replies, replyIndex, recordTypes, pendingIds } = result;
    // Each owner's replies leave in one corked write (one TLS record, one syscall), in entry order.
    const byOwner = new Map<EntryOwner, number[]>();
    for (let i = 0; i < owners.length; i++) {
      const entries = byOwner.get(owners[i]);
      if (entries === undefined) byOwner.set(owners[i], [i]);
      else entries.push(i);
    }
    for (const [owner, entries] of byOwner) {
      owner.corked(() => {
        for (const i of entries) {
          const outcome = outcomes[i] as Outcome;
          const length = replyIndex[i * 2 + 1];
          // beforeSettle may have withdrawn or held a reply the pool wrote: only ACK / ERROR carry one.
          const answered = length > 0 && (outcome === Outcome.Ack || outcome === Outcome.Error);
          const reply = answered ? replies.subarray(replyIndex[i * 2], replyIndex[i * 2] + length) : undefined;
          owner.settle(outcome, reply, recordTypes[i], pendingIds[i]);
        }
      });
    }
  }

  private finished(): void {
    this.inFlight--;
    if (this.inFlight === 0 && this.entries > 0 && !this.scheduled) this.flush();
    if (this.inFlight === 0 && this.entries === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  /** A frame larger than a whole batch buffer travels alone in a buffer of its own size. */
  private useOversizeBuffer(length: number): void {
    this.spareFrames.push(this.frames);
    this.frames = new ArrayBuffer(length);
    this.view = new Uint8Array(this.frames);
  }
}
