/**
 * Reliable-ack routing on a worker's main thread (PROTOCOL.md §9, DEVIATIONS.md D5): a frame whose
 * ACK waits for a sink's delivery confirmation is remembered here by (lane, pending id) until its
 * Settlement arrives from the dispatch thread. Nothing here blocks; an ACK for a session that has
 * gone counts as a miss. Settlement and result travel on different channels, so either may come first.
 */
import type { Settlement } from '../shared/batch';
import { activity } from '../shared/log';
import type { Logger } from '../shared/log';
import type { Session } from './session';

export class ReliableAcks {
  private readonly waiting = new Map<string, Session>();
  private readonly early = new Map<string, Settlement>();
  /** Pending ACKs withdrawn before their settlement came (a main-thread sink refused the record). */
  private readonly withdrawn = new Set<string>();
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly logger: Logger) {}

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

  settled(lane: number, settlement: Settlement): void {
    const key = `${lane}:${settlement.pendingId}`;
    if (this.withdrawn.delete(key)) return;
    const session = this.waiting.get(key);
    if (session === undefined) {
      this.early.set(key, settlement);
      return;
    }
    this.waiting.delete(key);
    this.deliver(session, settlement);
    if (this.waiting.size === 0) this.wakeIdle();
  }

  /** Resolves when no ACK is waiting for a confirmation. */
  idle(): Promise<void> {
    if (this.waiting.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private deliver(session: Session, settlement: Settlement): void {
    if (settlement.reply === undefined) return; // delivery failed for good: no ACK, the vehicle resends
    if (!session.isOpen) {
      activity(this.logger, 'reliable_ack_miss', {
        record_type: settlement.recordType,
        dispatcher: settlement.sink,
        txid: session.identity.socketId,
      });
      return;
    }
    session.send(settlement.reply);
  }

  private wakeIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
