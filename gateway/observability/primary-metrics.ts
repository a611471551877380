/**
 * The primary's metrics (PROTOCOL.md §11.1–11.4): one recorder that merges the deltas of every
 * worker (each worker's already holds its lanes'), so counters are summed over the process tree
 * and survive worker restarts. Prometheus scrapes first collect from every worker, so a scrape
 * sees everything counted before it; StatsD gets the same counts every `flush_period`.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { AggregatorRegistry, Registry, collectDefaultMetrics } from 'prom-client';
import type { GatewayConfig } from '../../config';
import { activity, logError } from '../../shared/log';
import type { Logger } from '../../shared/log';
import { CATALOGUE, MetricsRecorder, RecordingMetrics, metricsBackend } from '../../shared/metrics';
import type { Metrics, MetricsDelta } from '../../shared/metrics';
import type { CollectedMetrics, RuntimeMetricsJson } from './messages';
import { PrometheusRegistry } from './prometheus-registry';
import { RUNTIME_SAMPLE_MS } from './runtime-sampler';
import type { RuntimeSampler } from './runtime-sampler';
import { StatsdExporter } from './statsd-exporter';
import type { WorkerRef, WorkerRequests } from './worker-requests';

const COLLECT_TIMEOUT_MS = 2000;
/** The primary's own source id; worker slot n is n + 1. */
const workerSource = (slot: number) => slot + 1;

export class PrimaryMetrics {
  private readonly recorder = new MetricsRecorder();
  private readonly metrics: Metrics = new RecordingMetrics(this.recorder);
  private readonly startedAt = Date.now();
  private readonly prometheus: PrometheusRegistry | undefined;
  private readonly runtime: Registry | undefined;
  private server: Server | undefined;
  private readonly statsd: StatsdExporter | undefined;
  private sampleTimer: NodeJS.Timeout | undefined;

  private constructor(
    config: GatewayConfig,
    private readonly logger: Logger,
    private readonly workers: () => WorkerRef[],
    private readonly requests: WorkerRequests,
    private readonly sampler: RuntimeSampler,
  ) {
    // Everything the gateway itself counts is listed from the start; sink metrics appear when
    // their sink registers them (§11.1: when that dispatcher is created).
    for (const entry of CATALOGUE) if (entry.owner === 'gateway') this.recorder.register(entry);
    this.metrics.gauge('gateway_workers_listening').set(0);
    const monitoring = config.monitoring;
    if (metricsBackend(monitoring) === 'prometheus' && monitoring !== null) {
      this.prometheus = new PrometheusRegistry();
      this.runtime = new Registry();
      collectDefaultMetrics({ register: this.runtime });
      this.listen(monitoring.prometheus_metrics_host || '127.0.0.1', monitoring.prometheus_metrics_port);
    } else if (monitoring?.statsd) {
      this.statsd = new StatsdExporter(monitoring.statsd, this.recorder, logger);
      // Prometheus samples at each scrape; StatsD gets the primary's gauges on the runtime period.
      this.sample();
      this.sampleTimer = setInterval(() => this.sample(), RUNTIME_SAMPLE_MS);
      this.sampleTimer.unref();
    }
  }

  /** undefined when no backend is configured (§11.1: no-op, nothing is counted anywhere). */
  static start(
    config: GatewayConfig,
    logger: Logger,
    workers: () => WorkerRef[],
    requests: WorkerRequests,
    sampler: RuntimeSampler,
  ): PrimaryMetrics | undefined {
    if (metricsBackend(config.monitoring) === 'none') {
      activity(logger, 'config_skipping_empty_metrics_provider', {});
      return undefined;
    }
    return new PrimaryMetrics(config, logger, workers, requests, sampler);
  }

  workerDelta(slot: number, delta: MetricsDelta): void {
    this.recorder.merge(delta, workerSource(slot));
  }

  workerExited(slot: number, restarting: boolean): void {
    this.recorder.forgetSource(workerSource(slot));
    if (restarting) this.metrics.counter('gateway_worker_restarts_total').inc();
  }

  workersListening(count: number): void {
    this.metrics.gauge('gateway_workers_listening').set(count);
  }

  /** The Prometheus text of the whole process tree (§11.3). */
  async scrape(): Promise<string> {
    const prometheus = this.prometheus;
    if (prometheus === undefined) return '';
    const refs = this.workers();
    const answers = await Promise.allSettled(refs.map((ref) => this.requests.ask(ref, { kind: 'collect-metrics' }, COLLECT_TIMEOUT_MS)));
    const runtimes: RuntimeMetricsJson[] = [withWorkerLabel((await this.runtime?.getMetricsAsJSON()) ?? [], 'primary')];
    answers.forEach((answer, i) => {
      if (answer.status === 'rejected') {
        logError(this.logger, 'metrics_collect_error', answer.reason instanceof Error ? answer.reason : String(answer.reason), {});
        return;
      }
      const collected = answer.value as CollectedMetrics;
      this.recorder.merge(collected.delta, workerSource(refs[i].slot));
      runtimes.push(withWorkerLabel(collected.runtime, String(refs[i].slot)));
    });
    this.sample();
    prometheus.apply(this.recorder.drain());
    // Node runtime metrics stay per process (label `worker`: a slot, or `primary`).
    const runtime = AggregatorRegistry.aggregate(runtimes);
    return (await prometheus.registry.metrics()) + (await runtime.metrics());
  }

  close(): void {
    clearInterval(this.sampleTimer);
    this.server?.close();
    this.statsd?.close();
  }

  private sample(): void {
    this.metrics.gauge('uptime_sec').set(Math.floor((Date.now() - this.startedAt) / 1000));
    this.sampler.sampleInto(this.metrics);
  }

  private listen(host: string, port: number): void {
    const server = createServer((req, res) => {
      if ((req.url ?? '').split('?')[0] !== '/metrics') {
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
        return;
      }
      this.scrape().then(
        (text) => res.writeHead(200, { 'Content-Type': Registry.PROMETHEUS_CONTENT_TYPE }).end(text),
        (error: unknown) => {
          logError(this.logger, 'metrics_server_err', error instanceof Error ? error : String(error), {});
          res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('metrics unavailable\n');
        },
      );
    });
    // §2.1: a failing metrics listener is only logged.
    server.on('error', (error) => logError(this.logger, 'metrics_server_err', error, { port }));
    server.listen(port, host, () => activity(this.logger, 'metrics_listening', { host, port }));
    this.server = server;
  }
}

function withWorkerLabel(metrics: RuntimeMetricsJson, worker: string): RuntimeMetricsJson {
  return metrics.map((m) => ({ ...m, values: m.values.map((v) => ({ ...v, labels: { ...v.labels, worker } })) }));
}
