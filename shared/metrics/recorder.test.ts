/** The per-thread recorder: counting, draining deltas, merging them across threads and processes. */
import { MetricsRecorder } from './recorder';
import { RecordingMetrics } from './recording-metrics';
import { NO_METRICS } from './api';

function fresh() {
  const recorder = new MetricsRecorder();
  return { recorder, metrics: new RecordingMetrics(recorder) };
}

describe('MetricsRecorder', () => {
  it('drains only what changed since the last drain, with new definitions first', () => {
    const { recorder, metrics } = fresh();
    const total = metrics.counter('record_total', ['record_type']);
    total.inc({ record_type: 'V' });
    total.inc({ record_type: 'V' }, 2);
    metrics.counter('record_too_big_total').inc();
    const first = recorder.drain();
    expect(first.defs.map((d) => d.name)).toEqual(['record_total', 'record_too_big_total']);
    expect(first.add).toEqual([
      ['record_total', ['V'], 3],
      ['record_too_big_total', [], 1],
    ]);
    expect(recorder.pending).toBe(false);
    total.labels({ record_type: 'alerts' }).inc();
    expect(recorder.drain()).toEqual({ defs: [], add: [['record_total', ['alerts'], 1]], set: [], observe: [] });
  });

  it('refuses a catalogued name with other labels or another type (the §11.2 contract)', () => {
    const { metrics } = fresh();
    expect(() => metrics.counter('kinesis_err')).toThrow('metric kinesis_err is counter [record_type], not counter []');
    expect(() => metrics.gauge('record_total', ['record_type'])).toThrow(/record_total is counter/);
    metrics.counter('my_sink_total', ['a']);
    expect(() => metrics.counter('my_sink_total', ['b'])).toThrow(/my_sink_total is counter \[a\]/);
  });

  it('sums `set` values over sources and forgets a source that is gone', () => {
    const worker = fresh();
    const primary = new MetricsRecorder();
    worker.metrics.gauge('num_connections').set(3);
    primary.merge(worker.recorder.drain(), 1);
    const other = fresh();
    other.metrics.gauge('num_connections').set(4);
    primary.merge(other.recorder.drain(), 2);
    expect(primary.drain().set).toEqual([['num_connections', [], 7]]);
    worker.metrics.gauge('num_connections').set(1);
    primary.merge(worker.recorder.drain(), 1);
    expect(primary.drain().set).toEqual([['num_connections', [], 5]]);
    primary.forgetSource(2);
    expect(primary.drain().set).toEqual([['num_connections', [], 1]]);
  });

  it('adds gauge increments and histogram buckets across merges', () => {
    const lane = fresh();
    const worker = new MetricsRecorder();
    lane.metrics.gauge('signal_count', ['record_type']).inc({ record_type: 'V' }, 40);
    const h = lane.metrics.histogram('gateway_batch_frames');
    h.observe(1);
    h.observe(3);
    h.observe(5000);
    worker.merge(lane.recorder.drain(), 1);
    lane.metrics.gauge('signal_count', ['record_type']).inc({ record_type: 'V' }, 2);
    lane.metrics.histogram('gateway_batch_frames').observe(3);
    worker.merge(lane.recorder.drain(), 1);
    const delta = worker.drain();
    expect(delta.add).toEqual([['signal_count', ['V'], 42]]);
    // buckets 1, 2, 4, … 1024, +Inf: 1 → le 1; 3, 3 → le 4; 5000 → +Inf.
    expect(delta.observe).toEqual([['gateway_batch_frames', [], [1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 1], 5007]]);
  });

  it('drops merged values that disagree with a registered definition', () => {
    const primary = new MetricsRecorder();
    new RecordingMetrics(primary).counter('custom_total', ['a']);
    primary.drain();
    primary.merge(
      {
        defs: [{ name: 'custom_total', type: 'gauge', labels: ['a'], help: '' }],
        add: [['custom_total', ['x', 'y'], 1]],
        set: [],
        observe: [],
      },
      1,
    );
    expect(primary.pending).toBe(false);
  });

  it('samples gauges right before each drain', () => {
    const { recorder, metrics } = fresh();
    let connections = 2;
    recorder.onDrain(() => metrics.gauge('num_connections').set(connections));
    expect(recorder.drain().set).toEqual([['num_connections', [], 2]]);
    connections = 5;
    expect(recorder.drain().set).toEqual([['num_connections', [], 5]]);
  });

  it('tracks a sink’s in-flight records and delivery latency', () => {
    const { recorder, metrics } = fresh();
    const delivery = metrics.delivery('kinesis');
    expect(metrics.delivery('kinesis')).toBe(delivery);
    const a = delivery.started();
    delivery.started();
    delivery.settled(a, true);
    const delta = recorder.drain();
    expect(delta.set).toEqual([['gateway_sink_inflight_records', ['kinesis'], 1]]);
    expect(delta.observe.map(([name, labels]) => [name, labels])).toEqual([['gateway_sink_delivery_seconds', ['kinesis', 'ok']]]);
  });
});

describe('NO_METRICS', () => {
  it('accepts every call and records nothing', () => {
    const c = NO_METRICS.counter('record_total', ['record_type']);
    c.inc({ record_type: 'V' });
    c.labels({ record_type: 'V' }).inc();
    NO_METRICS.gauge('x').set(1);
    NO_METRICS.histogram('y').observe(1);
    NO_METRICS.delivery('s').settled(NO_METRICS.delivery('s').started(), true);
    expect(NO_METRICS.enabled).toBe(false);
  });
});
