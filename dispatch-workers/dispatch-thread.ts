/**
 * The dispatch thread: piscina worker entry and composition root of one lane. It builds the
 * pool-resident sinks once, then handles batches in order (one thread per lane keeps a
 * connection's records and replies in arrival order).
 */
import Piscina from 'piscina';
import type { MessagePort } from 'node:worker_threads';
import { INDEX_STRIDE } from '../shared/batch';
import type { DispatchBatch, DispatchResult, EntryKind, LaneControl, Settlement } from '../shared/batch';
import { createLogger } from '../shared/log';
import type { GatewayConfig } from '../config';
import { buildRoutes } from './routes';
import type { ForwardTarget } from './routes';
import { dispatchEntry } from './pipeline/dispatch-entry';
import type { PipelineContext } from './pipeline/dispatch-entry';
import { ReplyBuffer } from './pipeline/reply-buffer';
import { ForwardBuffer } from './pipeline/forward-buffer';

export interface LaneData {
  config: GatewayConfig;
}

interface LaneState {
  ctx: PipelineContext;
  forwards: ForwardTarget;
  close(): Promise<void>;
}

let settlementPort: MessagePort | undefined;
let nextPendingId = 1;
let state: Promise<LaneState> | undefined;

async function createLaneState(): Promise<LaneState> {
  const { config } = Piscina.workerData as LaneData;
  const logger = createLogger({ json: config.json_log_enable, level: config.log_level, base: { pid: process.pid } });
  const forwards: ForwardTarget = { current: undefined };
  const { routes, sinks } = await buildRoutes(config, logger, forwards);
  const ctx: PipelineContext = {
    routes,
    transmitDecoded: config.transmit_decoded_records,
    logger,
    awaitConfirmation(recordType, sink, ack, onConfirmed) {
      const pendingId = nextPendingId++ >>> 0;
      onConfirmed((delivered) => {
        const settlement: Settlement = { pendingId, recordType, sink, reply: delivered ? ack : undefined };
        settlementPort?.postMessage(settlement);
      });
      return pendingId;
    },
  };
  return { ctx, forwards, close: () => Promise.all(sinks.map((s) => s.close())).then(() => undefined) };
}

export default async function handle(task: DispatchBatch | LaneControl): Promise<unknown> {
  state ??= createLaneState();
  const lane = await state;
  if ('control' in task) {
    if (task.control === 'attach-settlements') settlementPort = task.port;
    else await lane.close();
    return undefined;
  }
  return dispatchBatch(lane, task);
}

function dispatchBatch({ ctx, forwards }: LaneState, batch: DispatchBatch): unknown {
  const index = new Float64Array(batch.index);
  const out = new ReplyBuffer(batch.entries);
  const forward = new ForwardBuffer();
  forwards.current = forward;
  for (let i = 0; i < batch.entries; i++) {
    forward.entry = i;
    const at = i * INDEX_STRIDE;
    const frame = new Uint8Array(batch.frames, index[at + 2], index[at + 3]);
    dispatchEntry(ctx, out, i, index[at] as EntryKind, frame, batch.sessions[index[at + 1]], index[at + 4]);
  }
  const replies = out.replies();
  const result: DispatchResult = {
    frames: batch.frames,
    index: batch.index,
    outcomes: out.outcomes,
    replies,
    replyIndex: out.replyIndex,
    recordTypes: out.recordTypes,
    pendingIds: out.pendingIds,
    forwarded: forward.records,
    forwardedPayloads: forward.payloads(),
  };
  const transfer = [
    batch.frames,
    batch.index,
    out.outcomes.buffer,
    replies.buffer,
    out.replyIndex.buffer,
    out.pendingIds.buffer,
    result.forwardedPayloads.buffer,
  ];
  // piscina's Transferable protocol: the value to return, and the list of what to move with it.
  const movable = { [Piscina.transferableSymbol]: transfer, [Piscina.valueSymbol]: result } as unknown as Parameters<
    typeof Piscina.move
  >[0];
  return Piscina.move(movable);
}
