/**
 * The host of the sinks that run on a worker's main thread (node-rdkafka cannot load in a worker
 * thread, Blizzard/node-rdkafka#958). The dispatch threads encode their records and forward them
 * with the batch result; here each is produced and its verdict handed to the reply ledger: a
 * refusal (or a sink that throws) withdraws the ACK (DEVIATIONS.md D6), for a reliable-ack source
 * the ACK waits for the sink's delivery confirmation (PROTOCOL.md §9), and a sink above its
 * high-water mark holds the ACK until the record has left it (back-pressure).
 */
import { performance } from 'node:perf_hooks';
import type { GatewayConfig } from '../config';
import { Outcome } from '../shared/batch';
import type { DispatchResult } from '../shared/batch';
import { logError } from '../shared/log';
import type { Logger } from '../shared/log';
import { NO_METRICS } from '../shared/metrics';
import type { Metrics } from '../shared/metrics';
import type { ProduceVerdict, Sink } from '../dispatch-workers/sinks/sink';
import { SINKS } from '../dispatch-workers/sinks/registry';
import { createRecordMetrics } from '../dispatch-workers/pipeline/record-metrics';
import type { RecordMetrics } from '../dispatch-workers/pipeline/record-metrics';
import type { EntryVerdicts } from './replies/ledger';

export class MainThreadSinks {
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

  /** The health of the sinks that report it (`healthy()`), for readiness. */
  health(): Record<string, boolean> {
    const health: Record<string, boolean> = {};
    for (const [name, sink] of this.sinks) if (sink.healthy !== undefined) health[name] = sink.healthy();
    return health;
  }

  /** Produces the batch's forwarded records, telling the ledger each one's verdict. */
  produce(result: DispatchResult, verdicts: EntryVerdicts): void {
    const { outcomes } = result;
    // Entries a main-thread sink refused, so that a frame's refusal is counted once.
    const refused = new Set<number>();
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
      // None: connectivity (never answered), or a pool sink refused it already.
      const answered = outcomes[entry] !== Outcome.None;
      let owed: ((delivered: boolean) => void) | undefined;
      let confirm: ((delivered: boolean) => void) | undefined;
      if (f.reliable && answered) {
        const settle = (owed = verdicts.owe(entry, f.recordType, f.sink, true));
        const startedAt = this.counts === undefined ? 0 : performance.now();
        let settled = false;
        confirm = (delivered) => {
          if (settled) return; // a sink settles a record once
          settled = true;
          this.counts?.confirmed(f.sink, startedAt, delivered);
          settle(delivered);
        };
      }
      const verdict = produceSafely(sink, record, confirm);
      if (verdict.accepted) {
        // Back-pressure: the sink is above its high-water mark and holds the reply.
        if (verdict.held !== undefined && answered) verdict.held(verdicts.owe(entry, f.recordType, f.sink, false));
        continue;
      }
      logError(this.logger, 'record_refused', verdict.reason, { txid: f.txid, record_type: f.recordType, vin: f.vin, dispatcher: f.sink });
      if (answered) this.counts?.refused(f.sink, f.recordType, !refused.has(entry));
      refused.add(entry);
      verdicts.refuse(entry);
      owed?.(false); // nothing to wait for: the sink never took it
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.sinks.values()].map((s) => s.close()));
  }
}

/** A sink that throws refuses the record: the frame gets no ACK, and nothing waits on it. */
function produceSafely(
  sink: Sink,
  record: Parameters<Sink['produce']>[0],
  confirm: ((delivered: boolean) => void) | undefined,
): ProduceVerdict {
  try {
    return sink.produce(record, confirm);
  } catch (error) {
    return { accepted: false, reason: `sink threw: ${String(error)}` };
  }
}
