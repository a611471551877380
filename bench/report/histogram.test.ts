import { HISTOGRAM_BUCKETS, LatencyHistogram, bucketOf, bucketUpperBound } from './histogram';

describe('LatencyHistogram', () => {
  it('keeps each microsecond below 100 µs exact', () => {
    expect(bucketOf(0)).toBe(0);
    expect(bucketOf(57.9)).toBe(57);
    expect(bucketUpperBound(57)).toBe(58);
  });

  it('holds every value within 1 % above it, up to the last bucket', () => {
    for (const v of [100, 101, 999, 12_345, 1_000_000, 60_000_000]) {
      const upper = bucketUpperBound(bucketOf(v));
      expect(upper).toBeGreaterThanOrEqual(v);
      expect(upper / v).toBeLessThanOrEqual(1.0101);
    }
    expect(bucketOf(1e12)).toBe(HISTOGRAM_BUCKETS - 1);
  });

  it('computes quantiles by rank and never above the max', () => {
    const h = new LatencyHistogram();
    for (let v = 1; v <= 100; v++) h.record(v * 1000);
    expect(h.quantile(0.5)).toBeGreaterThanOrEqual(50_000);
    expect(h.quantile(0.5)).toBeLessThan(50_000 * 1.011);
    expect(h.quantile(0.99)).toBeGreaterThanOrEqual(99_000);
    expect(h.quantile(1)).toBe(100_000);
    expect(h.quantile(0.001)).toBeGreaterThanOrEqual(1000);
    expect(new LatencyHistogram().quantile(0.5)).toBeNaN();
  });

  it('merges snapshots by adding counts, as the controller does across generators', () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    for (let i = 0; i < 90; i++) a.record(10);
    for (let i = 0; i < 10; i++) b.record(5000);
    const merged = new LatencyHistogram();
    merged.add(JSON.parse(JSON.stringify(a.snapshot())));
    merged.add(b.snapshot());
    expect(merged.count).toBe(100);
    expect(merged.quantile(0.9)).toBe(11);
    expect(merged.quantile(0.95)).toBe(5000);
    expect(merged.maxMicros).toBe(5000);
    const cdf = merged.cdf();
    expect(cdf[cdf.length - 1]).toEqual([5000, 1]);
    expect(cdf[0]).toEqual([11, 0.9]);
  });
});
