/**
 * The batcher: collects the frames of one event-loop turn per lane into one transferable buffer
 * (never one postMessage per frame, ARCHITECTURE.md "Batching") and hands the result, or the
 * failure, of each batch to the reply ledger with the batch's entries. Buffers come back with the
 * result and are reused.
 */
import { performance } from 'node:perf_hooks';
import { INDEX_STRIDE } from '../shared/batch';
import type { DispatchBatch, DispatchResult, EntryKind, LaneResult, SessionIdentity } from '../shared/batch';
import type { ReplyEntry } from './replies/reply-queue';

export interface BatchLimits {
  maxFrames: number;
  maxBytes: number;
}

type RunBatch = (batch: DispatchBatch) => Promise<LaneResult>;

/** Where a batch's verdicts go: `entries[i]` is entry i's reply-ledger entry (none: nobody answers it). */
export interface BatchVerdicts {
  returned(result: DispatchResult, entries: readonly (ReplyEntry | undefined)[]): void;
  failed(error: unknown, entries: readonly (ReplyEntry | undefined)[]): void;
}

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
  private replies: (ReplyEntry | undefined)[] = [];
  private sessions: SessionIdentity[] = [];
  private slots = new Map<SessionIdentity, number>();
  private scheduled = false;
  private readonly spareFrames: ArrayBuffer[] = [];
  private readonly spareIndex: ArrayBuffer[] = [];
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly limits: BatchLimits,
    private readonly runBatch: RunBatch,
    private readonly verdicts: BatchVerdicts,
    private readonly observer?: BatchObserver,
  ) {
    this.frames = new ArrayBuffer(limits.maxBytes);
    this.view = new Uint8Array(this.frames);
    this.index = new Float64Array(limits.maxFrames * INDEX_STRIDE);
  }

  /**
   * Queues one entry of the session `identity` (the same object for all its entries). `bytes` is
   * copied: uWS message buffers are only valid during the callback.
   */
  add(identity: SessionIdentity, kind: EntryKind, bytes: Uint8Array | undefined, receivedAt: number, reply: ReplyEntry | undefined): void {
    const length = bytes?.length ?? 0;
    if (this.entries > 0 && this.used + length > this.view.length) this.flush();
    if (length > this.view.length) this.useOversizeBuffer(length);

    let slot = this.slots.get(identity);
    if (slot === undefined) {
      slot = this.sessions.length;
      this.sessions.push(identity);
      this.slots.set(identity, slot);
    }
    const at = this.entries * INDEX_STRIDE;
    this.index[at] = kind;
    this.index[at + 1] = slot;
    this.index[at + 2] = this.used;
    this.index[at + 3] = length;
    this.index[at + 4] = receivedAt;
    this.index[at + 5] = reply?.ticket ?? 0;
    if (bytes !== undefined) this.view.set(bytes, this.used);
    this.used += length;
    this.replies.push(reply);
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
    const replies = this.replies;
    const sentAt = this.observer === undefined ? 0 : performance.now();
    this.observer?.flushed(this.entries, this.used);
    this.frames = this.spareFrames.pop() ?? new ArrayBuffer(this.limits.maxBytes);
    this.view = new Uint8Array(this.frames);
    const index = this.spareIndex.pop();
    this.index = index ? new Float64Array(index) : new Float64Array(this.limits.maxFrames * INDEX_STRIDE);
    this.used = 0;
    this.entries = 0;
    this.replies = [];
    this.sessions = [];
    this.slots = new Map();

    this.inFlight++;
    this.runBatch(batch).then(
      (laneResult) => {
        const result: DispatchResult = { ...laneResult, sessions: batch.sessions };
        // A bug that throws while the verdicts are folded in fails the batch (its entries get no
        // reply, their slots are freed) rather than leaving it unfinished for drain to wait out.
        try {
          this.observer?.returned(result, (performance.now() - sentAt) / 1000);
          this.verdicts.returned(result, replies);
        } catch (error) {
          this.verdicts.failed(error, replies);
        }
        // Reused only now: main-thread sinks read the index (receivedAt, session slots) above.
        if (result.frames.byteLength === this.limits.maxBytes) this.spareFrames.push(result.frames);
        this.spareIndex.push(result.index);
        this.finished();
      },
      (error: unknown) => {
        this.verdicts.failed(error, replies);
        this.finished();
      },
    );
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
