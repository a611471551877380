/**
 * The metrics of the current thread (each worker thread loads its own copy of this module). The
 * thread's composition root installs its recorder here before it builds anything that counts;
 * until then, and without monitoring, it is NO_METRICS.
 */
import type { Metrics } from './api';
import { NO_METRICS } from './api';

let current: Metrics = NO_METRICS;

export function threadMetrics(): Metrics {
  return current;
}

export function installThreadMetrics(metrics: Metrics): void {
  current = metrics;
}
