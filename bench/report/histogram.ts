/**
 * A latency histogram in microseconds with ~1 % relative precision and a fixed number of buckets,
 * so generator processes can record every reply cheaply and the controller can merge them by
 * adding counts (percentiles of merged samples, not averages of percentiles).
 */

/** Below this many microseconds each microsecond has its own bucket. */
const LINEAR_LIMIT = 100;
/** Each bucket above LINEAR_LIMIT is this much wider than the previous one. */
const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);
/** Covers up to LINEAR_LIMIT * GROWTH^(BUCKETS - LINEAR_LIMIT) µs ≈ 10 minutes. */
export const HISTOGRAM_BUCKETS = 1800;

export function bucketOf(micros: number): number {
  if (!(micros > 0)) return 0;
  if (micros < LINEAR_LIMIT) return Math.floor(micros);
  const b = LINEAR_LIMIT + Math.floor(Math.log(micros / LINEAR_LIMIT) / LOG_GROWTH);
  return b < HISTOGRAM_BUCKETS ? b : HISTOGRAM_BUCKETS - 1;
}

/** The largest value a bucket holds (so a reported percentile never understates). */
export function bucketUpperBound(bucket: number): number {
  if (bucket < LINEAR_LIMIT) return bucket + 1;
  return LINEAR_LIMIT * Math.pow(GROWTH, bucket - LINEAR_LIMIT + 1);
}

export class LatencyHistogram {
  readonly counts: Uint32Array;
  count = 0;
  maxMicros = 0;
  sumMicros = 0;

  constructor() {
    this.counts = new Uint32Array(HISTOGRAM_BUCKETS);
  }

  record(micros: number): void {
    this.counts[bucketOf(micros)]++;
    this.count++;
    this.sumMicros += micros;
    if (micros > this.maxMicros) this.maxMicros = micros;
  }

  add(other: HistogramSnapshot): void {
    for (let i = 0; i < HISTOGRAM_BUCKETS && i < other.counts.length; i++) this.counts[i] += other.counts[i];
    this.count += other.count;
    this.sumMicros += other.sumMicros;
    if (other.maxMicros > this.maxMicros) this.maxMicros = other.maxMicros;
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.maxMicros = 0;
    this.sumMicros = 0;
  }

  /** The value at quantile q (0–1): the upper bound of the bucket holding it, capped by the max seen. */
  quantile(q: number): number {
    if (this.count === 0) return NaN;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < HISTOGRAM_BUCKETS; i++) {
      seen += this.counts[i];
      if (seen >= rank) return Math.min(bucketUpperBound(i), this.maxMicros);
    }
    return this.maxMicros;
  }

  /** Points (latency µs, fraction ≤ it) of the cumulative distribution, one per non-empty bucket. */
  cdf(): [number, number][] {
    const points: [number, number][] = [];
    let seen = 0;
    for (let i = 0; i < HISTOGRAM_BUCKETS; i++) {
      if (this.counts[i] === 0) continue;
      seen += this.counts[i];
      points.push([Math.min(bucketUpperBound(i), this.maxMicros), seen / this.count]);
    }
    return points;
  }

  /** A plain-object copy that crosses process boundaries (IPC is JSON). */
  snapshot(): HistogramSnapshot {
    return { counts: Array.from(this.counts), count: this.count, maxMicros: this.maxMicros, sumMicros: this.sumMicros };
  }
}

export interface HistogramSnapshot {
  counts: ArrayLike<number>;
  count: number;
  maxMicros: number;
  sumMicros: number;
}
