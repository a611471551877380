/**
 * One lane's pipeline, apart from the thread that runs it: the routes and sinks built from the
 * config, and the batch loop (each entry through dispatchEntry, in order, then the sinks' end of
 * batch). The dispatch thread runs it behind piscina; the fuzzer runs it in-process.
 */
import { performance } from 'node:perf_hooks';
import { FORWARD_STRIDE, INDEX_STRIDE } from '../../shared/batch';
import type { DispatchBatch, EntryKind, LaneResult, Settlement } from '../../shared/batch';
import type { Logger } from '../../shared/log';
import type { GatewayConfig } from '../../config';
import { buildRoutes } from '../routes';
import type { ForwardTarget } from '../routes';
import type { Sink } from '../sinks/sink';
import { sinkDefinition } from '../sinks/registry';
import { dispatchEntry } from './dispatch-entry';
import type { PipelineContext } from './dispatch-entry';
import { ReplyBuffer } from './reply-buffer';
import { ForwardBuffer } from './forward-buffer';
import type { RecordMetrics } from './record-metrics';

export interface LanePipeline {
  ctx: PipelineContext;
  /** The pool-resident sinks by name, for health reports. */
  namedSinks: ReadonlyMap<string, Sink>;
  /** Closes (flushes) every pool-resident sink. */
  close(): Promise<void>;
  /** The batch loop's state: where main-thread records go, the sinks flushed per batch, the current entry's ticket. */
  readonly forwards: ForwardTarget;
  readonly flushing: readonly Sink[];
  ticket: number;
}

/**
 * Builds the lane's routes and sinks. `settle` receives each Pending entry's Settlement when its
 * sinks have decided (from a delivery callback, or at once).
 */
export async function createLanePipeline(
  config: GatewayConfig,
  logger: Logger,
  metrics: RecordMetrics | undefined,
  settle: (settlement: Settlement) => void,
): Promise<LanePipeline> {
  const forwards: ForwardTarget = { current: undefined };
  const { routes, sinks } = await buildRoutes(config, logger, forwards);
  const namedSinks = new Map<string, Sink>();
  for (const route of routes.values()) {
    for (const { name, sink } of route.sinks) if (sinkDefinition(name)?.runsOn === 'pool') namedSinks.set(name, sink);
  }
  const lane: LanePipeline = {
    ctx: {
      routes,
      transmitDecoded: config.transmit_decoded_records,
      logger,
      metrics,
      awaitConfirmation(recordType, reliableSource, onConfirmed) {
        const ticket = lane.ticket;
        const startedAt = metrics === undefined ? 0 : performance.now();
        onConfirmed((delivered) => {
          metrics?.confirmed(reliableSource, startedAt, delivered);
          settle({ ticket, delivered, recordType, reliableSource });
        });
      },
    },
    namedSinks,
    close: () => Promise.all(sinks.map((s) => s.close())).then(() => undefined),
    forwards,
    flushing: [...namedSinks.values()].filter((sink) => sink.flush !== undefined),
    ticket: 0,
  };
  return lane;
}

/** Runs one batch through the pipeline; nothing a vehicle sends can make it throw. */
export function runBatch(lane: LanePipeline, batch: DispatchBatch): LaneResult {
  const index = new Float64Array(batch.index);
  const out = new ReplyBuffer(batch.entries);
  const forward = new ForwardBuffer();
  lane.forwards.current = forward;
  for (let i = 0; i < batch.entries; i++) {
    forward.entry = i;
    const at = i * INDEX_STRIDE;
    const frame = new Uint8Array(batch.frames, index[at + 2], index[at + 3]);
    lane.ticket = index[at + 5];
    dispatchEntry(lane.ctx, out, i, index[at] as EntryKind, frame, batch.sessions[index[at + 1]], index[at + 4]);
  }
  for (const sink of lane.flushing) sink.flush!();
  return packResult(batch, out, forward);
}

/** The result's arrays as views into one new ArrayBuffer (32-bit arrays first, for alignment). */
function packResult(batch: DispatchBatch, out: ReplyBuffer, forward: ForwardBuffer): LaneResult {
  const entries = batch.entries;
  const replies = out.replies();
  const payloads = forward.payloads();
  const rows = forward.count * FORWARD_STRIDE;
  const body = new ArrayBuffer((entries * 2 + rows) * 4 + entries + replies.length + payloads.length);
  let at = 0;
  const replyIndex = new Uint32Array(body, at, entries * 2);
  replyIndex.set(out.replyIndex);
  at += replyIndex.byteLength;
  const forwards = new Uint32Array(body, at, rows);
  forwards.set(forward.rows.subarray(0, rows));
  at += forwards.byteLength;
  const outcomes = new Uint8Array(body, at, entries);
  outcomes.set(out.outcomes);
  at += entries;
  const replyBytes = new Uint8Array(body, at, replies.length);
  replyBytes.set(replies);
  at += replies.length;
  const forwardedPayloads = new Uint8Array(body, at, payloads.length);
  forwardedPayloads.set(payloads);
  return {
    frames: batch.frames,
    index: batch.index,
    outcomes,
    replies: replyBytes,
    replyIndex,
    forwards,
    forwardNames: forward.names,
    forwardTxids: forward.txids,
    forwardedPayloads,
  };
}
