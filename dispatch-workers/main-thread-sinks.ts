/**
 * The sinks that run on a worker's main thread (node-rdkafka cannot load in a worker thread,
 * Blizzard/node-rdkafka#958). The dispatch threads encode their records and forward them with the
 * batch result; here each is produced and its verdict folded into the entry's outcome before the
 * session sees it: a refusal withdraws the ACK (DEVIATIONS.md D6), and for a reliable-ack source
 * the ACK is held until the sink confirms delivery (PROTOCOL.md §9).
 */
import type { GatewayConfig } from '../config';
import { Outcome } from '../shared/batch';
import type { DispatchResult } from '../shared/batch';
import { logError } from '../shared/log';
import type { Logger } from '../shared/log';
import type { Sink } from './sinks/sink';
import { SINKS } from './sinks/registry';

export interface HeldReplies {
  /** Send this ACK for the entry later (its sink confirmed delivery). */
  sendLater(entry: number, reply: Uint8Array): void;
  /** The entry's pool-side reliable ACK must not be sent (a main-thread sink refused the record). */
  withdrawPending(entry: number, pendingId: number): void;
}

export class MainThreadSinks {
  /** ACKs held for a delivery confirmation; drain waits for them before closing sessions. */
  private held = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly sinks: ReadonlyMap<string, Sink>,
    private readonly logger: Logger,
  ) {}

  static async create(config: GatewayConfig, logger: Logger): Promise<MainThreadSinks> {
    const used = new Set(Object.values(config.records).flat());
    const sinks = new Map<string, Sink>();
    for (const definition of SINKS) {
      if (definition.runsOn === 'main' && used.has(definition.name))
        sinks.set(definition.name, await definition.create({ config, logger }));
    }
    return new MainThreadSinks(sinks, logger);
  }

  /** Produces the batch's forwarded records and rewrites `result.outcomes` with their verdicts. */
  produce(result: DispatchResult, held: HeldReplies): void {
    if (result.forwarded.length === 0) return;
    const { outcomes, replies, replyIndex, pendingIds } = result;
    // Per entry: whether a main-thread sink refused it, read when a held confirmation arrives.
    const refused = new Set<number>();
    for (const f of result.forwarded) {
      const sink = this.sinks.get(f.sink);
      if (sink === undefined) throw new Error(`record forwarded to ${f.sink}, which is not a main-thread sink here`);
      const record = {
        recordType: f.recordType,
        vin: f.vin,
        txid: f.txid,
        payload: result.forwardedPayloads.subarray(f.offset, f.offset + f.length),
        metadata: f.metadata,
        decoded: undefined,
      };
      const entry = f.entry;
      let verdict;
      if (f.reliable && outcomes[entry] === Outcome.Ack) {
        const ack = replies.subarray(replyIndex[entry * 2], replyIndex[entry * 2] + replyIndex[entry * 2 + 1]);
        outcomes[entry] = Outcome.None; // the ACK leaves when the sink confirms
        this.held++;
        let settled = false;
        verdict = sink.produce(record, (delivered) => {
          if (settled) return; // a sink settles a record once
          settled = true;
          if (delivered && !refused.has(entry)) held.sendLater(entry, ack);
          this.releaseHeld();
        });
      } else {
        verdict = sink.produce(record);
      }
      if (verdict.accepted) continue;
      refused.add(entry);
      logError(this.logger, 'record_refused', verdict.reason, { txid: f.txid, record_type: f.recordType, vin: f.vin, dispatcher: f.sink });
      if (outcomes[entry] === Outcome.Pending) held.withdrawPending(entry, pendingIds[entry]);
      outcomes[entry] = Outcome.None;
    }
  }

  /** Resolves when no ACK waits for a main-thread sink's confirmation. */
  idle(): Promise<void> {
    if (this.held === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private releaseHeld(): void {
    this.held--;
    if (this.held > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  async close(): Promise<void> {
    await Promise.all([...this.sinks.values()].map((s) => s.close()));
  }
}
