/**
 * The reply ledger: the one place on a worker's main thread where a frame's reply is decided
 * (ARCHITECTURE.md "One reply ledger", DEVIATIONS.md D6, PROTOCOL.md §9).
 *
 * A vehicle frame gets an entry when it arrives, in its session's queue. The batch result brings
 * the entry's provisional verdict and reply bytes and how many delivery confirmations it still
 * owes (a lane's reliable-ack sink, main-thread sinks); confirmations settle through the ledger
 * whichever comes first, the result or the confirmation. The worst verdict wins (ACK < ERROR <
 * no reply). A session's replies are written once each, in arrival order: an entry whose verdict
 * is known waits for the entries before it. A session's unsettled entries are its in-flight frames.
 */
import { FORWARD_STRIDE, Outcome } from '../../shared/batch';
import type { DispatchResult, Settlement } from '../../shared/batch';
import { activity, logError } from '../../shared/log';
import type { Logger } from '../../shared/log';
import { NO_METRICS } from '../../shared/metrics';
import type { BoundCounter, Counter, Metrics } from '../../shared/metrics';
import { ReplyQueue } from './reply-queue';
import type { ReplyEntry, ReplyWriter } from './reply-queue';
import { Verdict } from './verdict';

/**
 * What the main-thread sink host may do to a returned batch's entries, by batch entry index.
 * Entries nobody answers (connectivity) ignore both calls.
 */
export interface EntryVerdicts {
  /** A sink refused the entry's record: no ACK (D6). */
  refuse(entry: number): void;
  /**
   * The entry's ACK also waits for this sink: its delivery confirmation when it is the reliable-ack
   * source (`reliable`), or the release of a record it held (back-pressure). Call the returned
   * function exactly once (later calls are ignored) with whether the record was delivered.
   */
  owe(entry: number, recordType: string, sink: string, reliable: boolean): (delivered: boolean) => void;
}

/** Runs the main-thread sinks over a returned batch, before its entries' verdicts are final. */
export type MainThreadProducer = (result: DispatchResult, verdicts: EntryVerdicts) => void;

export class ReplyLedger {
  private nextTicket = 1;
  /** Every unsettled entry by ticket: confirmations may arrive before their batch's result. */
  private readonly open = new Map<number, ReplyEntry>();
  /** Returned entries still waiting for a confirmation. */
  private awaiting = 0;
  private idleWaiters: (() => void)[] = [];
  /** Queues with a settled head, written at the end of the current operation. */
  private readonly ready = new Set<ReplyQueue>();
  /** A write of `ready` is scheduled for the end of this event-loop turn (main-thread confirmations). */
  private writeScheduled = false;
  private readonly acks: BoundCounter;
  private readonly errors: BoundCounter;
  private readonly reliableReplies: BoundCounter;
  private readonly failedBatchFrames: BoundCounter;
  private readonly reliableSent: Counter<'record_type' | 'dispatcher'>;
  private readonly reliableMissed: Counter<'record_type' | 'dispatcher'>;

  constructor(
    private readonly logger: Logger,
    metrics: Metrics = NO_METRICS,
  ) {
    const replies = metrics.counter('gateway_replies_total', ['kind']);
    this.acks = replies.labels({ kind: 'ack' });
    this.errors = replies.labels({ kind: 'error' });
    this.reliableReplies = replies.labels({ kind: 'reliable_ack' });
    this.failedBatchFrames = metrics.counter('gateway_unanswered_frames_total', ['reason']).labels({ reason: 'dispatch_failed' });
    // §11.2, registered at server start as upstream does.
    this.reliableSent = metrics.counter('reliable_ack', ['record_type', 'dispatcher']);
    this.reliableMissed = metrics.counter('reliable_ack_miss', ['record_type', 'dispatcher']);
  }

  /** A session's reply queue. */
  queueFor(writer: ReplyWriter): ReplyQueue {
    return new ReplyQueue(writer);
  }

  /** Opens the entry of a vehicle frame that has just arrived; returns its ticket. */
  arrived(queue: ReplyQueue): ReplyEntry {
    const entry: ReplyEntry = {
      ticket: this.nextTicket++,
      queue,
      verdict: Verdict.Ack,
      reply: undefined,
      returned: false,
      owed: 0,
      confirmed: 0,
      confirmedBy: undefined,
    };
    this.open.set(entry.ticket, entry);
    queue.push(entry);
    return entry;
  }

  /** ACKs waiting for a delivery confirmation (`gateway_reliable_ack_pending`). */
  get pending(): number {
    return this.awaiting;
  }

  /** Entries not settled yet, all sessions. */
  get unsettled(): number {
    return this.open.size;
  }

  /**
   * A batch came back: `entries[i]` is batch entry i's ledger entry (undefined for entries nobody
   * answers). Main-thread sinks then fold in their verdicts; if they throw, every entry of the batch
   * they could have touched loses its ACK, and the batch still settles.
   */
  batchReturned(entries: readonly (ReplyEntry | undefined)[], result: DispatchResult, mainThread?: MainThreadProducer): void {
    const { outcomes, replies, replyIndex } = result;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i];
      if (entry === undefined) continue;
      const outcome = outcomes[i] as Outcome;
      const length = replyIndex[i * 2 + 1];
      if (outcome === Outcome.None || length === 0) entry.verdict = Verdict.NoReply;
      else {
        if (outcome === Outcome.Error) entry.verdict = worst(entry.verdict, Verdict.Error);
        // A view: the replies buffer is the main thread's for good (only frames and index go back).
        entry.reply = replies.subarray(replyIndex[i * 2], replyIndex[i * 2] + length);
        if (outcome === Outcome.Pending) entry.owed++;
      }
    }
    const { forwards } = result;
    if (mainThread !== undefined && forwards.length > 0) {
      try {
        mainThread(result, this.verdictsOf(entries));
      } catch (error) {
        logError(this.logger, 'main_thread_sink_error', String(error), {});
        for (let at = 0; at < forwards.length; at += FORWARD_STRIDE) {
          const entry = entries[forwards[at]];
          if (entry !== undefined) entry.verdict = Verdict.NoReply;
        }
      }
    }
    for (const entry of entries) {
      if (entry === undefined) continue;
      entry.returned = true;
      if (entry.confirmed < entry.owed) this.awaiting++;
      else this.settle(entry);
    }
    this.writeReady();
  }

  /**
   * A batch failed (its lane threw or died, or folding its result in threw): none of its entries
   * still unsettled is answered, and their slots are freed.
   */
  batchFailed(entries: readonly (ReplyEntry | undefined)[]): void {
    for (const entry of entries) {
      if (entry === undefined || entry.owed === -1) continue;
      if (entry.returned && entry.confirmed < entry.owed) this.awaiting--;
      this.failedBatchFrames.inc();
      entry.verdict = Verdict.NoReply;
      entry.returned = true;
      entry.owed = 0;
      this.settle(entry);
    }
    this.writeReady();
  }

  /** A lane's delivery confirmations (one message: those of one turn of its event loop). */
  settled(settlements: readonly Settlement[]): void {
    for (const s of settlements) {
      const entry = this.open.get(s.ticket);
      // Absent: its batch failed and settled it already.
      if (entry !== undefined) this.confirm(entry, s.delivered, s.recordType, s.reliableSource);
    }
    this.writeReady();
  }

  /** Resolves when every entry is settled (drain). */
  idle(): Promise<void> {
    if (this.open.size === 0 && !this.writeScheduled) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private verdictsOf(entries: readonly (ReplyEntry | undefined)[]): EntryVerdicts {
    return {
      refuse: (i) => {
        const entry = entries[i];
        if (entry !== undefined) entry.verdict = Verdict.NoReply;
      },
      owe: (i, recordType, sink, reliable) => {
        const entry = entries[i];
        if (entry === undefined) return () => undefined;
        entry.owed++;
        let once = false;
        return (delivered) => {
          if (once) return;
          once = true;
          this.confirm(entry, delivered, recordType, reliable ? sink : undefined);
          // Called from a sink's delivery callback, outside any batch. A sink confirms many records
          // per turn (librdkafka's delivery reports come up to 100 at a time): one corked write per
          // session for all of them at the end of the turn, not one TLS write per record.
          if (entry.returned) this.writeSoon();
        };
      },
    };
  }

  /** `reliableSource`: the §9 source that confirmed; undefined for a back-pressure release. */
  private confirm(entry: ReplyEntry, delivered: boolean, recordType: string, reliableSource: string | undefined): void {
    entry.confirmed++;
    if (!delivered) entry.verdict = Verdict.NoReply;
    else if (reliableSource !== undefined) entry.confirmedBy = { record_type: recordType, dispatcher: reliableSource };
    if (entry.returned && entry.confirmed >= entry.owed) {
      this.awaiting--;
      this.settle(entry);
    }
  }

  private settle(entry: ReplyEntry): void {
    this.open.delete(entry.ticket);
    entry.owed = -1; // settled: later confirmations find nothing
    if (entry.queue.headSettled) this.ready.add(entry.queue);
  }

  private writeSoon(): void {
    if (this.writeScheduled) return;
    this.writeScheduled = true;
    setImmediate(() => {
      this.writeScheduled = false;
      this.writeReady();
    });
  }

  /**
   * Writes each ready queue's settled head entries, one corked write per session. Idle waiters
   * (drain) are told only here, after the last reply has been written, never between a settlement
   * and its write.
   */
  private writeReady(): void {
    if (this.ready.size > 0) {
      const queues = [...this.ready];
      this.ready.clear();
      for (const queue of queues) queue.writeSettled((entry, open) => this.write(entry, open));
    }
    if (this.open.size === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private write(entry: ReplyEntry, open: boolean): Uint8Array | undefined {
    const reliable = entry.confirmedBy;
    if (entry.verdict === Verdict.NoReply || entry.reply === undefined) return undefined;
    if (reliable !== undefined && entry.verdict === Verdict.Ack) {
      // §9 runtime step 3: a confirmed ACK for a socket that is gone is a miss.
      if (!open) {
        this.reliableMissed.inc(reliable);
        activity(this.logger, 'reliable_ack_miss', { ...reliable, txid: entry.queue.writer.identity.socketId });
        return undefined;
      }
      this.reliableSent.inc(reliable);
      this.reliableReplies.inc();
      return entry.reply;
    }
    if (!open) return undefined; // §2.4: replies still queued when a session ends are dropped
    (entry.verdict === Verdict.Error ? this.errors : this.acks).inc();
    return entry.reply;
  }
}

function worst(a: Verdict, b: Verdict): Verdict {
  return a > b ? a : b;
}
