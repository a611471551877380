/**
 * One thread's metric store. Components count into it (through `RecordingMetrics`); `drain()`
 * returns what changed since the last drain as a MetricsDelta, and `merge()` folds in the deltas
 * of other threads or processes. The same class runs in dispatch lanes (drained into every batch
 * result), in each worker's main thread (merging its lanes, drained to the primary) and in the
 * primary (merging its workers, drained into the Prometheus registry or StatsD lines).
 *
 * Only touched series are visited on drain, so the cost is per change, not per series.
 */
import { catalogueEntry } from './catalogue';
import type { MetricDefinition, MetricsDelta } from './types';

/** The source id of a recorder's own `set` values; merged sources use other ids. */
export const OWN_SOURCE = 0;

export class AddSeries {
  pending = 0;
  touched = false;
  constructor(
    readonly family: Family,
    readonly values: string[],
  ) {}
}

export class SetSeries {
  readonly bySource = new Map<number, number>();
  touched = false;
  constructor(
    readonly family: Family,
    readonly values: string[],
  ) {}
}

export class HistogramSeries {
  readonly counts: number[];
  sum = 0;
  touched = false;
  constructor(
    readonly family: Family,
    readonly values: string[],
  ) {
    this.counts = new Array<number>((family.def.buckets?.length ?? 0) + 1).fill(0);
  }
}

export class Family {
  readonly add = new Map<string, AddSeries>();
  readonly set = new Map<string, SetSeries>();
  readonly histogram = new Map<string, HistogramSeries>();
  constructor(readonly def: MetricDefinition) {}
}

export function seriesKey(values: readonly string[]): string {
  return values.length === 1 ? values[0] : values.join('\u0000');
}

export class MetricsRecorder {
  private readonly families = new Map<string, Family>();
  private defs: MetricDefinition[] = [];
  private touchedAdd: AddSeries[] = [];
  private touchedSet: SetSeries[] = [];
  private touchedHistogram: HistogramSeries[] = [];
  private readonly beforeDrain: (() => void)[] = [];

  /**
   * Registers a metric, or returns it when registered with the same type and labels. A catalogued
   * name must match the catalogue (PROTOCOL.md §11.2 names, types and labels are a contract).
   */
  register(def: MetricDefinition): Family {
    const existing = this.families.get(def.name);
    const expected = catalogueEntry(def.name) ?? existing?.def;
    if (expected !== undefined && (expected.type !== def.type || expected.labels.join(',') !== def.labels.join(','))) {
      throw new Error(`metric ${def.name} is ${expected.type} [${expected.labels.join(', ')}], not ${def.type} [${def.labels.join(', ')}]`);
    }
    if (existing !== undefined) return existing;
    const catalogued = catalogueEntry(def.name);
    const family = new Family(
      catalogued === undefined
        ? { name: def.name, type: def.type, labels: [...def.labels], help: def.help || def.name, ...bucketsOf(def) }
        : { name: catalogued.name, type: catalogued.type, labels: catalogued.labels, help: catalogued.help, ...bucketsOf(catalogued) },
    );
    this.families.set(def.name, family);
    this.defs.push(family.def);
    return family;
  }

  family(name: string): Family | undefined {
    return this.families.get(name);
  }

  definitions(): MetricDefinition[] {
    return [...this.families.values()].map((f) => f.def);
  }

  addSeries(family: Family, values: string[]): AddSeries {
    const key = seriesKey(values);
    let s = family.add.get(key);
    if (s === undefined) family.add.set(key, (s = new AddSeries(family, values)));
    return s;
  }

  setSeries(family: Family, values: string[]): SetSeries {
    const key = seriesKey(values);
    let s = family.set.get(key);
    if (s === undefined) family.set.set(key, (s = new SetSeries(family, values)));
    return s;
  }

  histogramSeries(family: Family, values: string[]): HistogramSeries {
    const key = seriesKey(values);
    let s = family.histogram.get(key);
    if (s === undefined) family.histogram.set(key, (s = new HistogramSeries(family, values)));
    return s;
  }

  add(s: AddSeries, amount: number): void {
    s.pending += amount;
    if (!s.touched) {
      s.touched = true;
      this.touchedAdd.push(s);
    }
  }

  set(s: SetSeries, value: number, source = OWN_SOURCE): void {
    s.bySource.set(source, value);
    this.touchSet(s);
  }

  observe(s: HistogramSeries, value: number): void {
    const buckets = s.family.def.buckets ?? [];
    let i = 0;
    while (i < buckets.length && value > buckets[i]) i++;
    s.counts[i]++;
    s.sum += value;
    this.touchHistogram(s);
  }

  /** Runs before every drain: for gauges sampled from state (queue depth, connections). */
  onDrain(sample: () => void): void {
    this.beforeDrain.push(sample);
  }

  get pending(): boolean {
    return this.defs.length > 0 || this.touchedAdd.length > 0 || this.touchedSet.length > 0 || this.touchedHistogram.length > 0;
  }

  /** What changed since the last drain; `set` entries carry the sum over every source. */
  drain(): MetricsDelta {
    for (const sample of this.beforeDrain) sample();
    const delta: MetricsDelta = { defs: this.defs, add: [], set: [], observe: [] };
    this.defs = [];
    for (const s of this.touchedAdd) {
      delta.add.push([s.family.def.name, s.values, s.pending]);
      s.pending = 0;
      s.touched = false;
    }
    for (const s of this.touchedSet) {
      let total = 0;
      for (const v of s.bySource.values()) total += v;
      delta.set.push([s.family.def.name, s.values, total]);
      s.touched = false;
    }
    for (const s of this.touchedHistogram) {
      delta.observe.push([s.family.def.name, s.values, s.counts.slice(), s.sum]);
      s.counts.fill(0);
      s.sum = 0;
      s.touched = false;
    }
    this.touchedAdd = [];
    this.touchedSet = [];
    this.touchedHistogram = [];
    return delta;
  }

  /**
   * Folds in another recorder's drain. `source` identifies the sender (a lane, a worker slot): its
   * `set` values replace its previous ones. Entries that disagree with a registered definition
   * are dropped (they cannot be exposed under that name).
   */
  merge(delta: MetricsDelta, source: number): void {
    for (const def of delta.defs) {
      try {
        this.register(def);
      } catch {
        // Registered differently here: its values are dropped below.
      }
    }
    for (const [name, values, amount] of delta.add) {
      const family = this.matching(name, values);
      if (family !== undefined) this.add(this.addSeries(family, values), amount);
    }
    for (const [name, values, value] of delta.set) {
      const family = this.matching(name, values);
      if (family !== undefined) this.set(this.setSeries(family, values), value, source);
    }
    for (const [name, values, counts, sum] of delta.observe) {
      const family = this.matching(name, values);
      if (family === undefined || family.def.type !== 'histogram' || counts.length !== (family.def.buckets?.length ?? 0) + 1) continue;
      const s = this.histogramSeries(family, values);
      for (let i = 0; i < counts.length; i++) s.counts[i] += counts[i];
      s.sum += sum;
      this.touchHistogram(s);
    }
  }

  /** Drops a source's `set` values (a worker that exited). */
  forgetSource(source: number): void {
    for (const family of this.families.values()) {
      for (const s of family.set.values()) if (s.bySource.delete(source)) this.touchSet(s);
    }
  }

  private matching(name: string, values: readonly string[]): Family | undefined {
    const family = this.families.get(name);
    return family !== undefined && family.def.labels.length === values.length ? family : undefined;
  }

  private touchSet(s: SetSeries): void {
    if (!s.touched) {
      s.touched = true;
      this.touchedSet.push(s);
    }
  }

  private touchHistogram(s: HistogramSeries): void {
    if (!s.touched) {
      s.touched = true;
      this.touchedHistogram.push(s);
    }
  }
}

function bucketsOf(def: MetricDefinition): { buckets?: readonly number[] } {
  return def.type === 'histogram' ? { buckets: [...(def.buckets ?? [])] } : {};
}
