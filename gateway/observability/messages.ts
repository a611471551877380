/**
 * IPC between the primary and its workers for observability (besides cluster-messages.ts):
 * metric deltas and sink health flow up unasked; the primary asks for the rest by request id.
 */
import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import type { MetricsDelta } from '../../shared/metrics';

/** A worker's Node runtime metrics (prom-client default metrics), as `getMetricsAsJSON()` returns them. */
export type RuntimeMetricsJson = MetricObjectWithValues<MetricValue<string>>[];

export type WorkerRequest =
  /** Everything counted so far (exact scrapes), and the runtime metrics. */
  | { kind: 'collect-metrics' }
  /** Records a CPU profile of the worker's main thread for `seconds`; answers the .cpuprofile object. */
  | { kind: 'cpu-profile'; seconds: number }
  | { kind: 'cpu-profile-start' }
  /** Ends the profile `cpu-profile-start` began; answers the .cpuprofile object. */
  | { kind: 'cpu-profile-stop' }
  /** Writes a heap snapshot into `dir`; answers its path. */
  | { kind: 'heap-snapshot'; dir: string }
  /** Answers the worker's GcStats (runtime-sampler.ts). */
  | { kind: 'gc-stats' };

export interface CollectedMetrics {
  delta: MetricsDelta;
  runtime: RuntimeMetricsJson;
}

export type ObservabilityPrimaryMessage = { type: 'observability-request'; id: number; request: WorkerRequest };

export type ObservabilityWorkerMessage =
  | { type: 'metrics'; delta: MetricsDelta }
  /** Per configured sink: healthy or not, over the worker's lanes and main thread. */
  | { type: 'health'; sinks: Record<string, boolean> }
  | { type: 'observability-response'; id: number; value?: unknown; error?: string };

export function isObservabilityWorkerMessage(m: { type?: unknown }): m is ObservabilityWorkerMessage {
  return m.type === 'metrics' || m.type === 'health' || m.type === 'observability-response';
}

export function isObservabilityPrimaryMessage(m: { type?: unknown }): m is ObservabilityPrimaryMessage {
  return m.type === 'observability-request';
}
