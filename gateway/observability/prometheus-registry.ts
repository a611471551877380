/**
 * The primary's prom-client registry, fed with the deltas of the whole process tree. Counters and
 * gauges are prom-client's own; histograms arrive as bucket counts, which prom-client's Histogram
 * cannot add, so a small metric object exposes them in prom-client's JSON shape (the same shape
 * its cluster aggregator builds).
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { Metric } from 'prom-client';
import type { MetricDefinition, MetricsDelta } from '../../shared/metrics';

type LabelObject = Record<string, string>;

/** prom-client's JSON shape of one sample (its typings make `collect` mandatory, so it is spelled out here). */
interface Sample {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

interface HistogramState {
  labels: LabelObject;
  counts: number[];
  sum: number;
}

class CumulativeHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series = new Map<string, HistogramState>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: readonly number[],
  ) {}

  add(key: string, labels: LabelObject, counts: readonly number[], sum: number): void {
    let s = this.series.get(key);
    if (s === undefined) this.series.set(key, (s = { labels, counts: new Array<number>(counts.length).fill(0), sum: 0 }));
    for (let i = 0; i < counts.length; i++) s.counts[i] += counts[i];
    s.sum += sum;
  }

  get(): { name: string; help: string; type: 'histogram'; aggregator: 'sum'; values: Sample[] } {
    const values: Sample[] = [];
    for (const s of this.series.values()) {
      let cumulative = 0;
      s.counts.forEach((count, i) => {
        cumulative += count;
        const le = i < this.buckets.length ? this.buckets[i] : '+Inf';
        values.push({ metricName: `${this.name}_bucket`, labels: { ...s.labels, le }, value: cumulative });
      });
      values.push({ metricName: `${this.name}_sum`, labels: s.labels, value: s.sum });
      values.push({ metricName: `${this.name}_count`, labels: s.labels, value: cumulative });
    }
    return { name: this.name, help: this.help, type: 'histogram', aggregator: 'sum', values };
  }

  reset(): void {
    this.series.clear();
  }
}

type Exposed =
  | { type: 'counter'; def: MetricDefinition; metric: Counter<string> }
  | { type: 'gauge'; def: MetricDefinition; metric: Gauge<string>; added: Map<string, number>; setTo: Map<string, number> }
  | { type: 'histogram'; def: MetricDefinition; metric: CumulativeHistogram };

export class PrometheusRegistry {
  readonly registry = new Registry();
  private readonly exposed = new Map<string, Exposed>();

  define(def: MetricDefinition): void {
    if (this.exposed.has(def.name)) return;
    const labelNames = [...def.labels];
    const common = { name: def.name, help: def.help || def.name, labelNames, registers: [this.registry] };
    switch (def.type) {
      case 'counter':
        this.exposed.set(def.name, { type: 'counter', def, metric: new Counter(common) });
        return;
      case 'gauge':
        this.exposed.set(def.name, { type: 'gauge', def, metric: new Gauge(common), added: new Map(), setTo: new Map() });
        return;
      case 'histogram': {
        const metric = new CumulativeHistogram(def.name, def.help || def.name, def.buckets ?? []);
        this.registry.registerMetric(metric as unknown as Metric);
        this.exposed.set(def.name, { type: 'histogram', def, metric });
      }
    }
  }

  /** Applies a drain of the primary's recorder (whose `set` values are already summed over workers). */
  apply(delta: MetricsDelta): void {
    for (const def of delta.defs) this.define(def);
    for (const [name, values, amount] of delta.add) {
      const e = this.exposed.get(name);
      if (e === undefined) continue;
      const labels = labelObject(e.def, values);
      if (e.type === 'counter') {
        if (amount >= 0) e.metric.inc(labels, amount);
      } else if (e.type === 'gauge') {
        const key = values.join('\u0000');
        e.added.set(key, (e.added.get(key) ?? 0) + amount);
        e.metric.set(labels, (e.added.get(key) ?? 0) + (e.setTo.get(key) ?? 0));
      }
    }
    for (const [name, values, value] of delta.set) {
      const e = this.exposed.get(name);
      if (e?.type !== 'gauge') continue;
      const key = values.join('\u0000');
      e.setTo.set(key, value);
      e.metric.set(labelObject(e.def, values), (e.added.get(key) ?? 0) + value);
    }
    for (const [name, values, counts, sum] of delta.observe) {
      const e = this.exposed.get(name);
      if (e?.type === 'histogram') e.metric.add(values.join('\u0000'), labelObject(e.def, values), counts, sum);
    }
  }
}

function labelObject(def: MetricDefinition, values: readonly string[]): LabelObject {
  const labels: LabelObject = {};
  def.labels.forEach((name, i) => (labels[name] = values[i] ?? ''));
  return labels;
}
