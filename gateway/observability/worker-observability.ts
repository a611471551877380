/**
 * A worker's side of observability. Its main thread counts into one recorder, folds in what its
 * dispatch lanes counted (with each batch result, or posted between batches), and sends the
 * deltas to the primary: periodically, and at once when the primary collects for a scrape. It
 * also reports its sinks' health (readiness) and answers profiler requests.
 */
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { GatewayConfig } from '../../config';
import type { LaneReport } from '../../shared/batch';
import { logError } from '../../shared/log';
import type { Logger } from '../../shared/log';
import { MetricsRecorder, NO_METRICS, RecordingMetrics, installThreadMetrics, metricsBackend } from '../../shared/metrics';
import type { Metrics, MetricsDelta } from '../../shared/metrics';
import { CpuProfiler, heapSnapshot } from './cpu-profiler';
import type { CollectedMetrics, ObservabilityPrimaryMessage, ObservabilityWorkerMessage, WorkerRequest } from './messages';
import { RUNTIME_SAMPLE_MS, RuntimeSampler } from './runtime-sampler';

/** Without StatsD's flush period, deltas go up once a second (scrapes collect on demand anyway). */
const DEFAULT_FLUSH_MS = 1000;
const HEALTH_CHECK_MS = 1000;
const FINAL_FLUSH_WAIT_MS = 1000;
const EMPTY_DELTA: MetricsDelta = { defs: [], add: [], set: [], observe: [] };

/** What the worker reads for its sampled gauges and its health. */
export interface WorkerState {
  connections(): number;
  queuedBatches(): number;
  pendingReliableAcks(): number;
  mainSinkHealth(): Record<string, boolean>;
}

export class WorkerObservability {
  readonly metrics: Metrics;
  private readonly recorder: MetricsRecorder | undefined;
  private readonly runtime: Registry | undefined;
  private readonly sampler: RuntimeSampler | undefined;
  private readonly profiler = new CpuProfiler();
  private readonly laneHealth = new Map<number, Record<string, boolean>>();
  private readonly timers: NodeJS.Timeout[] = [];
  private state: WorkerState | undefined;
  private lastHealth = '';

  constructor(
    private readonly config: GatewayConfig,
    private readonly logger: Logger,
    private readonly send: (message: ObservabilityWorkerMessage, sent?: () => void) => void,
  ) {
    const backend = metricsBackend(config.monitoring);
    if (backend === 'none') {
      this.metrics = NO_METRICS;
    } else {
      this.recorder = new MetricsRecorder();
      this.metrics = new RecordingMetrics(this.recorder);
      if (backend === 'prometheus') {
        this.runtime = new Registry();
        collectDefaultMetrics({ register: this.runtime });
      }
    }
    // GC statistics feed the runtime gauges and the profiler's /gc_stats.
    if (config.monitoring !== null) this.sampler = new RuntimeSampler();
    installThreadMetrics(this.metrics);
  }

  start(state: WorkerState): void {
    this.state = state;
    const { recorder, sampler } = this;
    if (recorder !== undefined && sampler !== undefined) {
      const connections = this.metrics.gauge('num_connections');
      const queued = this.metrics.gauge('gateway_dispatch_queue_batches');
      const pendingAcks = this.metrics.gauge('gateway_reliable_ack_pending');
      recorder.onDrain(() => {
        connections.set(state.connections());
        queued.set(state.queuedBatches());
        pendingAcks.set(state.pendingReliableAcks());
      });
      sampler.sampleInto(this.metrics);
      const flushMs = this.config.monitoring?.statsd?.flush_period ?? DEFAULT_FLUSH_MS;
      this.every(Math.max(10, flushMs), () => this.flush());
      this.every(RUNTIME_SAMPLE_MS, () => sampler.sampleInto(this.metrics));
    }
    this.checkHealth();
    this.every(HEALTH_CHECK_MS, () => this.checkHealth());
  }

  /** A lane's batch result or report: its counts and its sinks' health. */
  laneReport(lane: number, report: LaneReport): void {
    if (report.report === 'metrics') this.laneMetrics(lane, report.delta);
    else if (report.report === 'health') {
      this.laneHealth.set(lane, report.sinks);
      this.checkHealth();
    }
  }

  laneMetrics(lane: number, delta: MetricsDelta | undefined): void {
    if (delta !== undefined) this.recorder?.merge(delta, lane + 1);
  }

  handle(message: ObservabilityPrimaryMessage): void {
    this.answer(message.request).then(
      (value) => this.send({ type: 'observability-response', id: message.id, value }),
      (error: unknown) => {
        const text = error instanceof Error ? error.message : String(error);
        logError(this.logger, 'observability_request_error', text, { request: message.request.kind });
        this.send({ type: 'observability-response', id: message.id, error: text });
      },
    );
  }

  /** Sends the last deltas; resolves once they left (or after a short wait), so the worker can exit. */
  stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.sampler?.stop();
    if (!this.recorder?.pending) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, FINAL_FLUSH_WAIT_MS);
      this.send({ type: 'metrics', delta: this.recorder?.drain() ?? EMPTY_DELTA }, () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private async answer(request: WorkerRequest): Promise<unknown> {
    switch (request.kind) {
      case 'collect-metrics': {
        this.sampler?.sampleInto(this.metrics);
        const collected: CollectedMetrics = {
          delta: this.recorder?.drain() ?? EMPTY_DELTA,
          runtime: this.runtime === undefined ? [] : await this.runtime.getMetricsAsJSON(),
        };
        return collected;
      }
      case 'cpu-profile':
        return this.profiler.record(request.seconds);
      case 'cpu-profile-start':
        return this.profiler.start();
      case 'cpu-profile-stop':
        return this.profiler.stop();
      case 'heap-snapshot':
        return { pid: process.pid, path: heapSnapshot(request.dir) };
      case 'gc-stats':
        return this.sampler?.gcStats();
    }
  }

  private flush(): void {
    if (this.recorder?.pending) this.send({ type: 'metrics', delta: this.recorder.drain() });
  }

  /** A sink is healthy when it is healthy in every lane and on the main thread. */
  private checkHealth(): void {
    if (this.state === undefined) return;
    const sinks: Record<string, boolean> = {};
    for (const report of [...this.laneHealth.values(), this.state.mainSinkHealth()]) {
      for (const [name, healthy] of Object.entries(report)) sinks[name] = (sinks[name] ?? true) && healthy;
    }
    const text = JSON.stringify(sinks);
    if (text === this.lastHealth) return;
    this.lastHealth = text;
    this.send({ type: 'health', sinks });
  }

  private every(ms: number, run: () => void): void {
    const timer = setInterval(run, ms);
    timer.unref();
    this.timers.push(timer);
  }
}
