/** Metric definitions and the delta format that carries counts between threads and processes. */

export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface MetricDefinition {
  readonly name: string;
  readonly type: MetricType;
  /** Label names, in the order label values travel in a delta. */
  readonly labels: readonly string[];
  readonly help: string;
  /** Histograms: ascending upper bounds; `+Inf` is implied. */
  readonly buckets?: readonly number[];
}

/** One series' change: metric name, label values (in the definition's label order), amount. */
export type SeriesValue = [name: string, labelValues: string[], value: number];
/** Histogram change: per-bucket counts (not cumulative; the last one is `+Inf`) and the sum observed. */
export type SeriesObservations = [name: string, labelValues: string[], bucketCounts: number[], sum: number];

/**
 * What one recorder counted since its last drain. It is plain data (structured clone and JSON
 * safe): dispatch threads return it inside the DispatchResult, workers send it to the primary.
 */
export interface MetricsDelta {
  /** Metrics first registered since the last drain: the receiver registers them before any value. */
  defs: MetricDefinition[];
  /** Counter increments and gauge inc/dec, to be added. */
  add: SeriesValue[];
  /** Gauge values set by this source (absolute); a receiver sums them over its sources. */
  set: SeriesValue[];
  observe: SeriesObservations[];
}

export function isEmptyDelta(d: MetricsDelta): boolean {
  return d.defs.length === 0 && d.add.length === 0 && d.set.length === 0 && d.observe.length === 0;
}
