/**
 * The sinks that run on a worker's main thread (node-rdkafka cannot load in a worker thread,
 * Blizzard/node-rdkafka#958). The dispatch threads encode their records and forward them with the
 * batch result; here each is produced and its verdict folded into the entry's outcome before the
 * session sees it: a refusal withdraws the ACK (DEVIATIONS.md D6), and for a reliable-ack source
 * the ACK is held until the sink confirms delivery (PROTOCOL.md §9).
 */
import { performance } from 'node:perf_hooks';
import type { GatewayConfig } from '../config';
import { Outcome } from '../shared/batch';
import type { DispatchResult } from '../shared/batch';
import { logError } from '../shared/log';
import type { Logger } from '../shared/log';
import { NO_METRICS } from '../shared/metrics';
import type { Metrics } from '../shared/metrics';
import type { Sink } from './sinks/sink';
import { SINKS } from './sinks/registry';
import { createRecordMetrics } from './pipeline/record-metrics';
import type { RecordMetrics } from './pipeline/record-metrics';

export interface HeldReplies {
  /** Send this ACK for the entry later (its sink confirmed delivery). */
  sendLater(entry: number, reply: Uint8Array, recordType: string, sink: string): void;
  /** The entry's pool-side reliable ACK must not be sent (a main-thread sink refused the record). */
  withdrawPending(entry: number, pendingId: number): void;
}

export class MainThreadSinks {
  /** ACKs held for a delivery confirmation; drain waits for them before closing sessions. */
  private held = 0;
  private idleWaiters: (() => void)[] = [];
  private readonly counts: RecordMetrics | undefined;

  constructor(
    private readonly sinks: ReadonlyMap<string, Sink>,
    private readonly logger: Logger,
    metrics: Metrics = NO_METRICS,
  ) {
    this.counts = createRecordMetrics(metrics, []);
  }

  static async create(config: GatewayConfig, logger: Logger, metrics: Metrics = NO_METRICS): Promise<MainThreadSinks> {
    const used = new Set(Object.values(config.records).flat());
    const sinks = new Map<string, Sink>();
    for (const definition of SINKS) {
      if (definition.runsOn === 'main' && used.has(definition.name))
        sinks.set(definition.name, await definition.create({ config, logger, metrics }));
    }
    return new MainThreadSinks(sinks, logger, metrics);
  }

  /** ACKs waiting for a main-thread sink's delivery confirmation. */
  get heldCount(): number {
    return this.held;
  }

  /** The health of the sinks that report it (`healthy()`), for readiness. */
  health(): Record<string, boolean> {
    const health: Record<string, boolean> = {};
    for (const [name, sink] of this.sinks) if (sink.healthy !== undefined) health[name] = sink.healthy();
    return health;
  }

  /** Produces the batch's forwarded records and rewrites `result.outcomes` with their verdicts. */
  produce(result: DispatchResult, held: HeldReplies): void {
    if (result.forwarded.length === 0) return;
    const { outcomes, replies, replyIndex, pendingIds } = result;
    // Per entry: whether a main-thread sink refused it, read when a held confirmation arrives.
    const refused = new Set<number>();
    // Per entry: the pool's verdict before any main-thread sink changed it (None: connectivity, or refused there).
    const poolOutcomes = new Map<number, Outcome>();
    for (const f of result.forwarded) {
      const sink = this.sinks.get(f.sink);
      if (sink === undefined) throw new Error(`record forwarded to ${f.sink}, which is not a main-thread sink here`);
      const record = {
        recordType: f.recordType,
        vin: f.vin,
        txid: f.txid,
        alteredMetadata: f.alteredMetadata,
        payload: result.forwardedPayloads.subarray(f.offset, f.offset + f.length),
        metadata: f.metadata,
        decoded: undefined,
      };
      const entry = f.entry;
      let poolOutcome = poolOutcomes.get(entry);
      if (poolOutcome === undefined) poolOutcomes.set(entry, (poolOutcome = outcomes[entry] as Outcome));
      let verdict;
      if (f.reliable && outcomes[entry] === Outcome.Ack) {
        const ack = replies.subarray(replyIndex[entry * 2], replyIndex[entry * 2] + replyIndex[entry * 2 + 1]);
        outcomes[entry] = Outcome.None; // the ACK leaves when the sink confirms
        this.held++;
        let settled = false;
        const startedAt = this.counts === undefined ? 0 : performance.now();
        const { recordType, sink: sinkName } = f;
        verdict = sink.produce(record, (delivered) => {
          if (settled) return; // a sink settles a record once
          settled = true;
          this.counts?.confirmed(sinkName, startedAt, delivered);
          if (delivered && !refused.has(entry)) held.sendLater(entry, ack, recordType, sinkName);
          this.releaseHeld();
        });
      } else {
        verdict = sink.produce(record);
      }
      if (verdict.accepted) continue;
      logError(this.logger, 'record_refused', verdict.reason, { txid: f.txid, record_type: f.recordType, vin: f.vin, dispatcher: f.sink });
      // Counted as an unanswered frame once, and only if the pool would have answered it.
      if (poolOutcome !== Outcome.None) this.counts?.refused(f.sink, f.recordType, !refused.has(entry));
      refused.add(entry);
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
