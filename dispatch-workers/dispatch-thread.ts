/**
 * The dispatch thread: piscina worker entry and composition root of one lane. It builds the
 * pool-resident sinks once, then handles batches in order (one thread per lane keeps a
 * connection's records and replies in arrival order).
 */
import Piscina from 'piscina';
import { performance } from 'node:perf_hooks';
import type { MessagePort } from 'node:worker_threads';
import type { DispatchBatch, LaneControl, LaneReport, Settlement } from '../shared/batch';
import { createLogger } from '../shared/log';
import { MetricsRecorder, NO_METRICS, RecordingMetrics, installThreadMetrics, metricsEnabled } from '../shared/metrics';
import type { Histogram } from '../shared/metrics';
import type { GatewayConfig } from '../config';
import { createRecordMetrics } from './pipeline/record-metrics';
import { LaneErrors } from './lane-errors';
import { createLanePipeline, runBatch } from './pipeline/lane-pipeline';
import type { LanePipeline } from './pipeline/lane-pipeline';
import { laneFault } from './test-fault';
import type { LaneFault } from './test-fault';

export interface LaneData {
  config: GatewayConfig;
}

interface LaneState {
  pipeline: LanePipeline;
  /** This lane's counts (PROTOCOL.md §11.2); undefined without monitoring. */
  recorder: MetricsRecorder | undefined;
  taskSeconds: Histogram;
  /** Error reports for the Airbrake notifier; undefined without an `airbrake` block. */
  errors: LaneErrors | undefined;
  /** Test-only (GATEWAY_TEST_FAULT); undefined otherwise. */
  fault: LaneFault | undefined;
}

/** How often counts made outside a batch (delivery callbacks) are posted, and health is checked. */
const REPORT_INTERVAL_MS = 250;
const HEALTH_EVERY_REPORTS = 4;
/** Error reports per kind and second a lane forwards (the main thread's notifier applies its own). */
const LANE_ERRORS_PER_SECOND = 5;

let settlementPort: MessagePort | undefined;
let state: Promise<LaneState> | undefined;

async function createLaneState(): Promise<LaneState> {
  const { config } = Piscina.workerData as LaneData;
  const logger = createLogger({ json: config.json_log_enable, level: config.log_level, base: { pid: process.pid } });
  // Installed before the sinks are built: they count into this thread's recorder.
  const recorder = metricsEnabled(config.monitoring) ? new MetricsRecorder() : undefined;
  const metrics = recorder === undefined ? NO_METRICS : new RecordingMetrics(recorder);
  installThreadMetrics(metrics);
  // Before the sinks are built, so their startup errors are reported too.
  const errors =
    config.airbrake === null
      ? undefined
      : new LaneErrors(LANE_ERRORS_PER_SECOND, metrics.counter('gateway_airbrake_dropped_total', ['reason']));
  const recordMetrics = createRecordMetrics(metrics, config.vins_signal_tracking_enabled);
  const pipeline = await createLanePipeline(config, logger, recordMetrics, postSettlement);
  return { pipeline, recorder, taskSeconds: metrics.histogram('gateway_dispatch_task_seconds'), errors, fault: laneFault() };
}

export default async function handle(task: DispatchBatch | LaneControl): Promise<unknown> {
  state ??= createLaneState();
  const lane = await state;
  if ('control' in task) {
    if (task.control === 'attach-settlements') {
      settlementPort = task.port;
      startReports(lane);
    } else {
      await lane.pipeline.close();
      reportMetrics(lane);
    }
    return undefined;
  }
  return dispatchBatch(lane, task);
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
    for (const [name, sink] of lane.pipeline.namedSinks) if (sink.healthy !== undefined) sinks[name] = sink.healthy();
    const health = JSON.stringify(sinks);
    if (health === lastHealth) return;
    lastHealth = health;
    post({ report: 'health', sinks });
  };
  report();
  setInterval(report, REPORT_INTERVAL_MS).unref();
}

function reportMetrics({ recorder, errors }: LaneState): void {
  if (recorder?.pending) post({ report: 'metrics', delta: recorder.drain() });
  const reports = errors?.take();
  if (reports !== undefined) post({ report: 'errors', errors: reports });
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

function dispatchBatch({ pipeline, recorder, taskSeconds, fault }: LaneState, batch: DispatchBatch): unknown {
  const started = recorder === undefined ? 0 : performance.now();
  const result = runBatch(pipeline, batch);
  flushSettlements();
  fault?.(batch);
  if (recorder !== undefined) {
    taskSeconds.observe((performance.now() - started) / 1000);
    result.metrics = recorder.drain();
  }
  // Every array of the result is a view into one buffer (lane-pipeline.ts packResult).
  const transfer = [batch.frames, batch.index, result.outcomes.buffer];
  // piscina's Transferable protocol: the value to return, and the list of what to move with it.
  const movable = { [Piscina.transferableSymbol]: transfer, [Piscina.valueSymbol]: result } as unknown as Parameters<
    typeof Piscina.move
  >[0];
  return Piscina.move(movable);
}
