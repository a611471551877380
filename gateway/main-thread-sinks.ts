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
import { FORWARD_STRIDE, ForwardFlag, INDEX_STRIDE, Outcome } from '../shared/batch';
import type { DispatchResult } from '../shared/batch';
import { logError } from '../shared/log';
import type { Logger } from '../shared/log';
import { NO_METRICS } from '../shared/metrics';
import type { Metrics } from '../shared/metrics';
import type { ProduceVerdict, Sink, SinkRecord } from '../dispatch-workers/sinks/sink';
import { recordMetadata } from '../shared/record';
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
    const { outcomes, forwards, forwardNames, forwardTxids, forwardedPayloads, sessions } = result;
    const index = new Float64Array(result.index);
    // Entries a main-thread sink refused, so that a frame's refusal is counted once.
    const refused = new Set<number>();
    for (let r = 0, at = 0; at < forwards.length; r++, at += FORWARD_STRIDE) {
      const entry = forwards[at];
      const sinkName = forwardNames[forwards[at + 1]];
      const recordType = forwardNames[forwards[at + 2]];
      const flags = forwards[at + 3];
      const sink = this.sinks.get(sinkName);
      if (sink === undefined) throw new Error(`record forwarded to ${sinkName}, which is not a main-thread sink here`);
      // What the lane's record held, rebuilt from the batch: the VIN and client version are the
      // session's, receivedAt is the entry's (dispatch-entry.ts builds the lane's the same way).
      const session = sessions[index[entry * INDEX_STRIDE + 1]];
      const txid = forwardTxids[r];
      const record: SinkRecord = {
        recordType,
        vin: session.deviceId,
        txid,
        alteredMetadata:
          flags & ForwardFlag.AlteredTxid ? 'txid' : flags & ForwardFlag.AlteredClientVersion ? 'device_client_version' : undefined,
        payload: forwardedPayloads.subarray(forwards[at + 4], forwards[at + 4] + forwards[at + 5]),
        metadata: recordMetadata(session.deviceId, index[entry * INDEX_STRIDE + 4], txid, recordType, session.clientVersion),
        decoded: undefined,
      };
      // None: connectivity (never answered), or a pool sink refused it already.
      const answered = outcomes[entry] !== Outcome.None;
      let owed: ((delivered: boolean) => void) | undefined;
      let confirm: ((delivered: boolean) => void) | undefined;
      if (flags & ForwardFlag.Reliable && answered) {
        const settle = (owed = verdicts.owe(entry, recordType, sinkName, true));
        const startedAt = this.counts === undefined ? 0 : performance.now();
        let settled = false;
        confirm = (delivered) => {
          if (settled) return; // a sink settles a record once
          settled = true;
          this.counts?.confirmed(sinkName, startedAt, delivered);
          settle(delivered);
        };
      }
      const verdict = produceSafely(sink, record, confirm);
      if (verdict.accepted) {
        // Back-pressure: the sink is above its high-water mark and holds the reply.
        if (verdict.held !== undefined && answered) verdict.held(verdicts.owe(entry, recordType, sinkName, false));
        continue;
      }
      logError(this.logger, 'record_refused', verdict.reason, { txid, record_type: recordType, vin: record.vin, dispatcher: sinkName });
      if (answered) this.counts?.refused(sinkName, recordType, !refused.has(entry));
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
