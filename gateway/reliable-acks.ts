/**
 * Reliable-ack routing on a worker's main thread (PROTOCOL.md §9, DEVIATIONS.md D5): a frame whose
 * ACK waits for a sink's delivery confirmation is remembered here by (lane, pending id) until its
 * Settlement arrives from the dispatch thread. Nothing here blocks; an ACK for a session that has
 * gone counts as a miss. Settlement and result travel on different channels, so either may come first.
 */
import type { Settlement } from '../shared/batch';
import { activity } from '../shared/log';
import type { Logger } from '../shared/log';
import { NO_METRICS } from '../shared/metrics';
import type { BoundCounter, Counter, Metrics } from '../shared/metrics';
import type { Session } from './session';

export class ReliableAcks {
  private readonly waiting = new Map<string, Session>();
  private readonly early = new Map<string, Settlement>();
  /** Pending ACKs withdrawn before their settlement came (a main-thread sink refused the record). */
  private readonly withdrawn = new Set<string>();
  private idleWaiters: (() => void)[] = [];
  private readonly sent: Counter<'record_type' | 'dispatcher'>;
  private readonly missed: Counter<'record_type' | 'dispatcher'>;
  private readonly replies: BoundCounter;

  constructor(
    private readonly logger: Logger,
    metrics: Metrics = NO_METRICS,
  ) {
    // §11.2, registered at server start as upstream does.
    this.sent = metrics.counter('reliable_ack', ['record_type', 'dispatcher']);
    this.missed = metrics.counter('reliable_ack_miss', ['record_type', 'dispatcher']);
    this.replies = metrics.counter('gateway_replies_total', ['kind']).labels({ kind: 'reliable_ack' });
  }

  /** ACKs waiting for their confirmation. */
  get pending(): number {
    return this.waiting.size;
  }

  /**
   * Sends a confirmed ACK (§9 runtime step 3), from a dispatch thread's Settlement or a main-thread
   * sink's confirmation: counted as `reliable_ack`, or as `reliable_ack_miss` when the socket is gone.
   */
  sendConfirmed(session: Session, reply: Uint8Array, recordType: string, dispatcher: string): void {
    const labels = { record_type: recordType, dispatcher };
    if (!session.isOpen) {
      this.missed.inc(labels);
      activity(this.logger, 'reliable_ack_miss', { record_type: recordType, dispatcher, txid: session.identity.socketId });
      return;
    }
    this.sent.inc(labels);
    this.replies.inc();
    session.send(reply);
  }

  await(session: Session, lane: number, pendingId: number): void {
    const key = `${lane}:${pendingId}`;
    const settlement = this.early.get(key);
    if (settlement === undefined) {
      this.waiting.set(key, session);
      return;
    }
    this.early.delete(key);
    this.deliver(session, settlement);
  }

  /** The ACK of this pending entry must not be sent, whenever its settlement arrives. */
  withdraw(lane: number, pendingId: number): void {
    const key = `${lane}:${pendingId}`;
    if (!this.early.delete(key)) this.withdrawn.add(key);
  }

  /**
   * The settlements a lane posted together. A session's ACKs among them leave in one corked write
   * (one TLS record, one syscall), in settlement order.
   */
  settled(lane: number, settlements: readonly Settlement[]): void {
    const ready = new Map<Session, Settlement[]>();
    for (const settlement of settlements) {
      const key = `${lane}:${settlement.pendingId}`;
      if (this.withdrawn.delete(key)) continue;
      const session = this.waiting.get(key);
      if (session === undefined) {
        this.early.set(key, settlement);
        continue;
      }
      this.waiting.delete(key);
      const list = ready.get(session);
      if (list === undefined) ready.set(session, [settlement]);
      else list.push(settlement);
    }
    for (const [session, list] of ready) {
      session.corked(() => {
        for (const settlement of list) this.deliver(session, settlement);
      });
    }
    if (ready.size > 0 && this.waiting.size === 0) this.wakeIdle();
  }

  /** Resolves when no ACK is waiting for a confirmation. */
  idle(): Promise<void> {
    if (this.waiting.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private deliver(session: Session, settlement: Settlement): void {
    if (settlement.reply === undefined) return; // delivery failed for good: no ACK, the vehicle resends
    this.sendConfirmed(session, settlement.reply, settlement.recordType, settlement.sink);
  }

  private wakeIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
