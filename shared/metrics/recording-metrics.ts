/** The `Metrics` API over a thread's MetricsRecorder (see api.ts for how components use it). */
import { performance } from 'node:perf_hooks';
import type { BoundCounter, BoundGauge, BoundHistogram, Counter, DeliveryTracker, Gauge, Histogram, Labels, Metrics } from './api';
import { SECONDS_BUCKETS } from './catalogue';
import type { Family, MetricsRecorder } from './recorder';

type LabelArg = Readonly<Record<string, string>> | number | undefined;

export class RecordingMetrics implements Metrics {
  readonly enabled = true;
  private readonly trackers = new Map<string, DeliveryTracker>();

  constructor(readonly recorder: MetricsRecorder) {}

  counter<L extends string = never>(name: string, labels: readonly L[] = [], help = ''): Counter<L> {
    const family = this.recorder.register({ name, type: 'counter', labels, help });
    const recorder = this.recorder;
    const bound = (values: string[]): BoundCounter => {
      const s = recorder.addSeries(family, values);
      return { inc: (value = 1) => recorder.add(s, value) };
    };
    return {
      inc(a?: LabelArg, b?: number) {
        const [values, value] = split(family, a, b, 1);
        recorder.add(recorder.addSeries(family, values), value);
      },
      labels: (l: Labels<L>) => bound(valuesOf(family, l)),
    } as Counter<L>;
  }

  gauge<L extends string = never>(name: string, labels: readonly L[] = [], help = ''): Gauge<L> {
    const family = this.recorder.register({ name, type: 'gauge', labels, help });
    const recorder = this.recorder;
    const addTo = (values: string[], amount: number) => recorder.add(recorder.addSeries(family, values), amount);
    return {
      inc(a?: LabelArg, b?: number) {
        const [values, value] = split(family, a, b, 1);
        addTo(values, value);
      },
      dec(a?: LabelArg, b?: number) {
        const [values, value] = split(family, a, b, 1);
        addTo(values, -value);
      },
      set(a: LabelArg, b?: number) {
        const [values, value] = split(family, a, b, 0);
        recorder.set(recorder.setSeries(family, values), value);
      },
      labels(l: Labels<L>): BoundGauge {
        const values = valuesOf(family, l);
        const added = recorder.addSeries(family, values);
        let setSeries: ReturnType<MetricsRecorder['setSeries']> | undefined;
        return {
          inc: (value = 1) => recorder.add(added, value),
          dec: (value = 1) => recorder.add(added, -value),
          set: (value: number) => recorder.set((setSeries ??= recorder.setSeries(family, values)), value),
        };
      },
    } as Gauge<L>;
  }

  histogram<L extends string = never>(
    name: string,
    labels: readonly L[] = [],
    buckets: readonly number[] = SECONDS_BUCKETS,
    help = '',
  ): Histogram<L> {
    const family = this.recorder.register({ name, type: 'histogram', labels, help, buckets });
    const recorder = this.recorder;
    return {
      observe(a: LabelArg, b?: number) {
        const [values, value] = split(family, a, b, 0);
        recorder.observe(recorder.histogramSeries(family, values), value);
      },
      labels(l: Labels<L>): BoundHistogram {
        const s = recorder.histogramSeries(family, valuesOf(family, l));
        return { observe: (value: number) => recorder.observe(s, value) };
      },
    } as Histogram<L>;
  }

  delivery(sink: string): DeliveryTracker {
    let tracker = this.trackers.get(sink);
    if (tracker !== undefined) return tracker;
    const inflight = this.gauge('gateway_sink_inflight_records', ['sink']).labels({ sink });
    const latency = this.histogram('gateway_sink_delivery_seconds', ['sink', 'result']);
    const ok = latency.labels({ sink, result: 'ok' });
    const failed = latency.labels({ sink, result: 'failed' });
    let count = 0;
    tracker = {
      started() {
        inflight.set(++count);
        return performance.now();
      },
      settled(startedAt, delivered) {
        inflight.set(--count);
        (delivered ? ok : failed).observe((performance.now() - startedAt) / 1000);
      },
    };
    this.trackers.set(sink, tracker);
    return tracker;
  }
}

function valuesOf(family: Family, labels: Readonly<Record<string, string>>): string[] {
  const names = family.def.labels;
  const values = new Array<string>(names.length);
  for (let i = 0; i < names.length; i++) values[i] = String(labels[names[i]] ?? '');
  return values;
}

const NO_LABELS: Readonly<Record<string, string>> = {};

/** prom-client's overloads: `(value)` or `(labels, value)`; missing label values are ''. */
function split(family: Family, a: LabelArg, b: number | undefined, fallback: number): [string[], number] {
  if (typeof a === 'number') return [valuesOf(family, NO_LABELS), a];
  return [valuesOf(family, a ?? NO_LABELS), b ?? fallback];
}
