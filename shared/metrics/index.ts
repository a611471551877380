/** Metrics for every tier (PROTOCOL.md §11): the catalogue, the per-thread API and its delta format. */
export type { BoundCounter, BoundGauge, BoundHistogram, Counter, DeliveryTracker, Gauge, Histogram, Labels, Metrics } from './api';
export { NO_METRICS } from './api';
export { CATALOGUE, GATEWAY_METRICS, REFERENCE_METRICS, catalogueEntry } from './catalogue';
export type { CatalogueEntry } from './catalogue';
export { MetricsRecorder, OWN_SOURCE } from './recorder';
export { RecordingMetrics } from './recording-metrics';
export { installThreadMetrics, threadMetrics } from './thread-metrics';
export { metricsBackend, metricsEnabled } from './backend';
export type { MetricsBackend, MonitoringBlock } from './backend';
export type { MetricDefinition, MetricsDelta, MetricType } from './types';
export { isEmptyDelta } from './types';
