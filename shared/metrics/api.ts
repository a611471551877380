/**
 * The metrics API every component uses, in any thread (a worker's main thread, a dispatch lane):
 * prom-client's shape, but each thread only counts into a local recorder whose deltas travel to
 * the primary in batches (never a message per increment). Without monitoring every handle is a
 * no-op (`NO_METRICS`).
 *
 *   const errors = metrics.counter('kinesis_err', ['record_type']);
 *   errors.inc({ record_type: 'V' });            // or errors.inc({ record_type: 'V' }, 3)
 *   const v = errors.labels({ record_type: 'V' }); v.inc();   // bound: cheapest on a hot path
 *
 * Names in shared/metrics/catalogue.ts must be registered with the catalogue's type and labels
 * (a mismatch throws at registration). Gauges: `set` values are per thread and summed over threads
 * and workers (a gone worker's values disappear); `inc`/`dec` add up everywhere. Use one or the
 * other on a gauge.
 */
export type Labels<L extends string> = { readonly [K in L]: string };

export interface BoundCounter {
  inc(value?: number): void;
}
export interface Counter<L extends string = never> {
  inc(value?: number): void;
  inc(labels: Labels<L>, value?: number): void;
  labels(labels: Labels<L>): BoundCounter;
}

export interface BoundGauge {
  inc(value?: number): void;
  dec(value?: number): void;
  set(value: number): void;
}
export interface Gauge<L extends string = never> {
  inc(value?: number): void;
  inc(labels: Labels<L>, value?: number): void;
  dec(value?: number): void;
  dec(labels: Labels<L>, value?: number): void;
  set(value: number): void;
  set(labels: Labels<L>, value: number): void;
  labels(labels: Labels<L>): BoundGauge;
}

export interface BoundHistogram {
  observe(value: number): void;
}
export interface Histogram<L extends string = never> {
  observe(value: number): void;
  observe(labels: Labels<L>, value: number): void;
  labels(labels: Labels<L>): BoundHistogram;
}

/**
 * A sink's in-flight records and delivery latency (`gateway_sink_inflight_records{sink}`,
 * `gateway_sink_delivery_seconds{sink,result}`): call `started()` when a record goes to the broker
 * and `settled(start, delivered)` when the broker answered.
 */
export interface DeliveryTracker {
  started(): number;
  settled(startedAt: number, delivered: boolean): void;
}

export interface Metrics {
  /** false: monitoring is off and every handle is a no-op (skip computing costly label values). */
  readonly enabled: boolean;
  counter<L extends string = never>(name: string, labels?: readonly L[], help?: string): Counter<L>;
  gauge<L extends string = never>(name: string, labels?: readonly L[], help?: string): Gauge<L>;
  histogram<L extends string = never>(name: string, labels?: readonly L[], buckets?: readonly number[], help?: string): Histogram<L>;
  delivery(sink: string): DeliveryTracker;
}

const noop = (): void => undefined;
const NO_BOUND = Object.freeze({ inc: noop, dec: noop, set: noop, observe: noop });
const NO_HANDLE = Object.freeze({ inc: noop, dec: noop, set: noop, observe: noop, labels: () => NO_BOUND });
const NO_DELIVERY: DeliveryTracker = Object.freeze({ started: () => 0, settled: noop });

/** Monitoring off: every handle does nothing. */
export const NO_METRICS: Metrics = Object.freeze({
  enabled: false,
  counter: () => NO_HANDLE,
  gauge: () => NO_HANDLE,
  histogram: () => NO_HANDLE,
  delivery: () => NO_DELIVERY,
});
