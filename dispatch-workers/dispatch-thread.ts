/**
 * The dispatch thread: piscina worker entry and composition root of one lane. It builds the
 * pool-resident sinks once, then handles batches in order (one thread per lane keeps a
 * connection's records and replies in arrival order).
 */
import Piscina from 'piscina';
import { performance } from 'node:perf_hooks';
import type { MessagePort } from 'node:worker_threads';
import { INDEX_STRIDE } from '../shared/batch';
import type { DispatchBatch, DispatchResult, EntryKind, LaneControl, LaneReport, Settlement } from '../shared/batch';
import { createLogger } from '../shared/log';
import { MetricsRecorder, NO_METRICS, RecordingMetrics, installThreadMetrics, metricsEnabled } from '../shared/metrics';
import type { Histogram } from '../shared/metrics';
import type { GatewayConfig } from '../config';
import { buildRoutes } from './routes';
import type { ForwardTarget } from './routes';
import { dispatchEntry } from './pipeline/dispatch-entry';
import type { PipelineContext } from './pipeline/dispatch-entry';
import { ReplyBuffer } from './pipeline/reply-buffer';
import { ForwardBuffer } from './pipeline/forward-buffer';
import { createRecordMetrics } from './pipeline/record-metrics';
import type { Route } from './pipeline/route-record';
import type { Sink } from './sinks/sink';
import { sinkDefinition } from './sinks/registry';

export interface LaneData {
  config: GatewayConfig;
}

interface LaneState {
  ctx: PipelineContext;
  forwards: ForwardTarget;
  /** This lane's counts (PROTOCOL.md §11.2); undefined without monitoring. */
  recorder: MetricsRecorder | undefined;
  taskSeconds: Histogram;
  /** The pool-resident sinks by name, for health reports. */
  namedSinks: ReadonlyMap<string, Sink>;
  /** The pool-resident sinks that finish work at the end of each batch (`Sink.flush`). */
  flushing: readonly Sink[];
  close(): Promise<void>;
}

/** How often counts made outside a batch (delivery callbacks) are posted, and health is checked. */
const REPORT_INTERVAL_MS = 250;
const HEALTH_EVERY_REPORTS = 4;

let settlementPort: MessagePort | undefined;
/** The reply-ledger ticket of the entry being dispatched, which its Settlement carries back. */
let currentTicket = 0;
let state: Promise<LaneState> | undefined;

async function createLaneState(): Promise<LaneState> {
  const { config } = Piscina.workerData as LaneData;
  const logger = createLogger({ json: config.json_log_enable, level: config.log_level, base: { pid: process.pid } });
  // Installed before the sinks are built: they count into this thread's recorder.
  const recorder = metricsEnabled(config.monitoring) ? new MetricsRecorder() : undefined;
  const metrics = recorder === undefined ? NO_METRICS : new RecordingMetrics(recorder);
  installThreadMetrics(metrics);
  const recordMetrics = createRecordMetrics(metrics, config.vins_signal_tracking_enabled);
  const forwards: ForwardTarget = { current: undefined };
  const { routes, sinks } = await buildRoutes(config, logger, forwards);
  const namedSinks = poolSinksByName(routes);
  const ctx: PipelineContext = {
    routes,
    transmitDecoded: config.transmit_decoded_records,
    logger,
    metrics: recordMetrics,
    awaitConfirmation(recordType, reliableSource, onConfirmed) {
      const ticket = currentTicket;
      const startedAt = recordMetrics === undefined ? 0 : performance.now();
      onConfirmed((delivered) => {
        recordMetrics?.confirmed(reliableSource, startedAt, delivered);
        postSettlement({ ticket, delivered, recordType, reliableSource });
      });
    },
  };
  return {
    ctx,
    forwards,
    recorder,
    taskSeconds: metrics.histogram('gateway_dispatch_task_seconds'),
    namedSinks,
    flushing: [...namedSinks.values()].filter((sink) => sink.flush !== undefined),
    close: () => Promise.all(sinks.map((s) => s.close())).then(() => undefined),
  };
}

export default async function handle(task: DispatchBatch | LaneControl): Promise<unknown> {
  state ??= createLaneState();
  const lane = await state;
  if ('control' in task) {
    if (task.control === 'attach-settlements') {
      settlementPort = task.port;
      startReports(lane);
    } else {
      await lane.close();
      reportMetrics(lane);
    }
    return undefined;
  }
  return dispatchBatch(lane, task);
}

function poolSinksByName(routes: ReadonlyMap<string, Route>): Map<string, Sink> {
  const named = new Map<string, Sink>();
  for (const route of routes.values()) {
    for (const { name, sink } of route.sinks) if (sinkDefinition(name)?.runsOn === 'pool') named.set(name, sink);
  }
  return named;
}

/**
 * Posts counts made between batches, and the health of the sinks that report it (`healthy()`)
 * when it changes (readiness, /readyz).
 */
function startReports(lane: LaneState): void {
  let lastHealth = '';
  let tick = 0;
  const report = () => {
    reportMetrics(lane);
    if (tick++ % HEALTH_EVERY_REPORTS !== 0) return;
    const sinks: Record<string, boolean> = {};
    for (const [name, sink] of lane.namedSinks) if (sink.healthy !== undefined) sinks[name] = sink.healthy();
    const health = JSON.stringify(sinks);
    if (health === lastHealth) return;
    lastHealth = health;
    post({ report: 'health', sinks });
  };
  report();
  setInterval(report, REPORT_INTERVAL_MS).unref();
}

function reportMetrics({ recorder }: LaneState): void {
  if (recorder?.pending) post({ report: 'metrics', delta: recorder.drain() });
}

/** Settlements of one event-loop turn, posted together (and before the result of the batch that made them). */
let settlements: Settlement[] = [];
let settlementsScheduled = false;

function postSettlement(settlement: Settlement): void {
  settlements.push(settlement);
  if (settlementsScheduled) return;
  settlementsScheduled = true;
  setImmediate(flushSettlements);
}

function flushSettlements(): void {
  settlementsScheduled = false;
  if (settlements.length === 0) return;
  const out = settlements;
  settlements = [];
  settlementPort?.postMessage(out);
}

function post(report: LaneReport): void {
  settlementPort?.postMessage(report);
}

function dispatchBatch({ ctx, forwards, recorder, taskSeconds, flushing }: LaneState, batch: DispatchBatch): unknown {
  const started = recorder === undefined ? 0 : performance.now();
  const index = new Float64Array(batch.index);
  const out = new ReplyBuffer(batch.entries);
  const forward = new ForwardBuffer();
  forwards.current = forward;
  for (let i = 0; i < batch.entries; i++) {
    forward.entry = i;
    const at = i * INDEX_STRIDE;
    const frame = new Uint8Array(batch.frames, index[at + 2], index[at + 3]);
    currentTicket = index[at + 5];
    dispatchEntry(ctx, out, i, index[at] as EntryKind, frame, batch.sessions[index[at + 1]], index[at + 4]);
  }
  for (const sink of flushing) sink.flush!();
  flushSettlements();
  const replies = out.replies();
  const result: DispatchResult = {
    frames: batch.frames,
    index: batch.index,
    outcomes: out.outcomes,
    replies,
    replyIndex: out.replyIndex,
    recordTypes: out.recordTypes,
    forwarded: forward.records,
    forwardedPayloads: forward.payloads(),
  };
  if (recorder !== undefined) {
    taskSeconds.observe((performance.now() - started) / 1000);
    result.metrics = recorder.drain();
  }
  const transfer = [batch.frames, batch.index, out.outcomes.buffer, replies.buffer, out.replyIndex.buffer, result.forwardedPayloads.buffer];
  // piscina's Transferable protocol: the value to return, and the list of what to move with it.
  const movable = { [Piscina.transferableSymbol]: transfer, [Piscina.valueSymbol]: result } as unknown as Parameters<
    typeof Piscina.move
  >[0];
  return Piscina.move(movable);
}
