/** The primary's prom-client registry fed with deltas (PROTOCOL.md §11.3 text format). */
import { CATALOGUE, MetricsRecorder, RecordingMetrics } from '../../shared/metrics';
import { PrometheusRegistry } from './prometheus-registry';

function setup() {
  const recorder = new MetricsRecorder();
  for (const entry of CATALOGUE) if (entry.owner === 'gateway') recorder.register(entry);
  return { recorder, metrics: new RecordingMetrics(recorder), prometheus: new PrometheusRegistry() };
}

describe('PrometheusRegistry', () => {
  it('lists registered metrics before they have values, label-less counters at 0', async () => {
    const { recorder, prometheus } = setup();
    prometheus.apply(recorder.drain());
    const text = await prometheus.registry.metrics();
    expect(text).toContain('# TYPE record_total counter');
    expect(text).toContain('# TYPE signal_count gauge');
    expect(text).toContain('# TYPE gateway_batch_frames histogram');
    expect(text).toMatch(/^record_too_big_total 0$/m);
  });

  it('accumulates counters and gauges over drains (adds plus the sum of sets)', async () => {
    const { recorder, metrics, prometheus } = setup();
    metrics.counter('record_total', ['record_type']).inc({ record_type: 'V' }, 2);
    metrics.gauge('signal_count', ['record_type']).inc({ record_type: 'V' }, 40);
    prometheus.apply(recorder.drain());
    metrics.counter('record_total', ['record_type']).inc({ record_type: 'V' });
    metrics.gauge('signal_count', ['record_type']).inc({ record_type: 'V' }, 2);
    recorder.merge({ defs: [], add: [], set: [['num_connections', [], 5]], observe: [] }, 1);
    prometheus.apply(recorder.drain());
    const text = await prometheus.registry.metrics();
    expect(text).toMatch(/^record_total\{record_type="V"\} 3$/m);
    expect(text).toMatch(/^signal_count\{record_type="V"\} 42$/m);
    expect(text).toMatch(/^num_connections 5$/m);
  });

  it('exposes histograms with cumulative buckets, +Inf, _sum and _count', async () => {
    const { recorder, metrics, prometheus } = setup();
    const frames = metrics.histogram('gateway_batch_frames');
    frames.observe(1);
    frames.observe(3);
    prometheus.apply(recorder.drain());
    frames.observe(2000);
    prometheus.apply(recorder.drain());
    const text = await prometheus.registry.metrics();
    expect(text).toMatch(/^gateway_batch_frames_bucket\{le="1"\} 1$/m);
    expect(text).toMatch(/^gateway_batch_frames_bucket\{le="4"\} 2$/m);
    expect(text).toMatch(/^gateway_batch_frames_bucket\{le="1024"\} 2$/m);
    expect(text).toMatch(/^gateway_batch_frames_bucket\{le="\+Inf"\} 3$/m);
    expect(text).toMatch(/^gateway_batch_frames_sum 2004$/m);
    expect(text).toMatch(/^gateway_batch_frames_count 3$/m);
  });

  it('registers a sink’s metrics when their definition arrives', async () => {
    const { recorder, prometheus } = setup();
    prometheus.apply(recorder.drain());
    const lane = new MetricsRecorder();
    new RecordingMetrics(lane).counter('kafka_err').inc();
    recorder.merge(lane.drain(), 1);
    prometheus.apply(recorder.drain());
    expect(await prometheus.registry.metrics()).toMatch(/^kafka_err 1$/m);
  });
});
