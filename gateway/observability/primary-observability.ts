/**
 * The primary's observability, composed: metrics of the whole process tree (Prometheus or StatsD),
 * readiness from the workers' reports, and the profiler listener. Workers talk to it over IPC
 * (messages.ts); primary.ts hands it their messages and lifecycle events.
 */
import type { Server } from 'node:http';
import type { GatewayConfig } from '../../config';
import { activity } from '../../shared/log';
import type { Logger } from '../../shared/log';
import { LiveProfiler, prepareProfilingFile } from './live-profiler';
import type { ObservabilityWorkerMessage } from './messages';
import { PrimaryMetrics } from './primary-metrics';
import { ProfileTargets } from './profile-targets';
import { startProfilerListener } from './profiler-listener';
import { Readiness } from './readiness';
import { RuntimeSampler } from './runtime-sampler';
import { WorkerRequests } from './worker-requests';
import type { WorkerRef } from './worker-requests';

export class PrimaryObservability {
  readonly readiness: Readiness;
  private readonly requests = new WorkerRequests();
  private readonly sampler: RuntimeSampler | undefined;
  private readonly metrics: PrimaryMetrics | undefined;
  private readonly profiler: Server | undefined;

  constructor(
    config: GatewayConfig,
    private readonly logger: Logger,
    workers: () => WorkerRef[],
  ) {
    this.readiness = new Readiness(config.workerCount);
    const monitoring = config.monitoring;
    if (monitoring === null) return; // §11.1: no metrics, no profiler, no runtime gauges
    this.sampler = new RuntimeSampler();
    // §12.3 startup order: the profiling file, then the monitoring listeners.
    const profilingFile = prepareProfilingFile(monitoring.profiling_path, logger);
    this.metrics = PrimaryMetrics.start(config, logger, workers, this.requests, this.sampler);
    if (monitoring.profiler_port > 0) {
      const sampler = this.sampler;
      const targets = new ProfileTargets(workers, this.requests, () => sampler.gcStats());
      const live = new LiveProfiler(profilingFile ? monitoring.profiling_path : undefined, targets, logger);
      const host = monitoring.profiler_host || '127.0.0.1';
      this.profiler = startProfilerListener(
        { host, port: monitoring.profiler_port, profilingPath: monitoring.profiling_path },
        targets,
        live,
        logger,
      );
    }
  }

  workerMessage(slot: number, message: ObservabilityWorkerMessage): void {
    switch (message.type) {
      case 'metrics':
        this.metrics?.workerDelta(slot, message.delta);
        return;
      case 'health': {
        this.readiness.workerHealth(slot, message.sinks);
        const names = (healthy: boolean) =>
          Object.entries(message.sinks)
            .filter(([, h]) => h === healthy)
            .map(([name]) => name)
            .join(',');
        activity(this.logger, 'sink_health', { worker: slot, healthy: names(true), unhealthy: names(false) });
        return;
      }
      case 'observability-response':
        this.requests.answered(message);
    }
  }

  workerListening(slot: number): void {
    this.readiness.workerListening(slot);
    this.metrics?.workersListening(this.readiness.listeningCount);
  }

  workerExited(slot: number, restarting: boolean): void {
    this.readiness.workerGone(slot);
    this.metrics?.workersListening(this.readiness.listeningCount);
    this.metrics?.workerExited(slot, restarting);
  }

  startDraining(): void {
    this.readiness.startDraining();
  }

  close(): void {
    this.metrics?.close();
    this.profiler?.close();
    this.sampler?.stop();
  }
}
