/** Which metric backend the `monitoring` block selects (PROTOCOL.md §11.1). */

export interface MonitoringBlock {
  readonly prometheus_metrics_port: number;
  readonly statsd: unknown;
}

export type MetricsBackend = 'prometheus' | 'statsd' | 'none';

/** Prometheus when its port is set (it wins), else StatsD when its block exists, else none. */
export function metricsBackend(monitoring: MonitoringBlock | null): MetricsBackend {
  if (monitoring === null) return 'none';
  if (monitoring.prometheus_metrics_port > 0) return 'prometheus';
  return monitoring.statsd !== null && monitoring.statsd !== undefined ? 'statsd' : 'none';
}

/** Counting only happens when a backend exports the counts. */
export function metricsEnabled(monitoring: MonitoringBlock | null): boolean {
  return metricsBackend(monitoring) !== 'none';
}
