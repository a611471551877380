/**
 * Every metric the gateway exposes. `REFERENCE_METRICS` is PROTOCOL.md §11.2 verbatim (name, type,
 * labels), so dashboards and alerts written for the reference server keep working; the catalogue
 * test checks it against the spec and against a live scrape. `GATEWAY_METRICS` are our own.
 */
import type { MetricDefinition } from './types';

export interface CatalogueEntry extends MetricDefinition {
  /**
   * Who registers it. `gateway`: the gateway, at monitoring start. A sink name: that sink, when it
   * is created (§11.1: dispatcher metrics exist only for the dispatchers in use).
   */
  readonly owner: string;
  /** §11.2 "gauge, add": a gauge that is only ever incremented. */
  readonly addOnly?: boolean;
}

const counter = (name: string, labels: string[], help: string, owner = 'gateway'): CatalogueEntry => ({
  name,
  type: 'counter',
  labels,
  help,
  owner,
});
const gauge = (name: string, labels: string[], help: string, owner = 'gateway', addOnly = false): CatalogueEntry => ({
  name,
  type: 'gauge',
  labels,
  help,
  owner,
  ...(addOnly ? { addOnly } : {}),
});
const histogram = (name: string, labels: string[], buckets: number[], help: string): CatalogueEntry => ({
  name,
  type: 'histogram',
  labels,
  help,
  owner: 'gateway',
  buckets,
});

/** The usual sink metrics of §11.2 (`<sink>_publish_total` …), all labelled by record type. */
function sinkCounters(sink: string, names: [suffix: string, help: string][]): CatalogueEntry[] {
  return names.map(([suffix, help]) => counter(`${sink}_${suffix}`, ['record_type'], help, sink));
}

const RT = ['record_type'];

/** PROTOCOL.md §11.2, in its order. */
export const REFERENCE_METRICS: readonly CatalogueEntry[] = [
  counter('rate_limit_exceeded_total', ['device_id', 'txtype'], 'Messages denied by the rate limiter (§8)'),
  counter('record_too_big_total', [], 'Frames larger than 1,000,000 bytes'),
  counter('unauthorized_sender_id_total', [], 'Never incremented (S5)'),
  counter('unknown_message_type_error_total', ['msg_type'], 'Frames that are not stream messages (§5.2)'),
  counter('dispatch_total', RT, 'Records dispatched from sockets'),
  counter('unexpected_record_err_total', [], 'ERROR replies'),
  counter('socket_err_total', [], 'Socket write failures'),
  counter('record_size_bytes_total', RT, 'Payload bytes after transform/JSON'),
  counter('record_total', RT, 'Records processed'),
  gauge('signal_count', RT, 'Signals of accepted records (D4)', 'gateway', true),
  gauge('vin_signal_count', ['record_type', 'vin'], 'Signals of accepted records of tracked VINs (D4)', 'gateway', true),
  counter('reliable_ack', ['record_type', 'dispatcher'], 'Reliable ACKs sent'),
  counter('reliable_ack_miss', ['record_type', 'dispatcher'], 'Reliable ACKs for sockets that were gone'),
  counter('kafka_produce_total', RT, 'Kafka records enqueued', 'kafka'),
  counter('kafka_produce_total_bytes', RT, 'Kafka bytes enqueued', 'kafka'),
  counter('kafka_produce_ack_total', RT, 'Kafka deliveries confirmed', 'kafka'),
  counter('kafka_produce_ack_total_bytes', RT, 'Kafka bytes confirmed', 'kafka'),
  counter('kafka_reliable_ack_total', RT, 'Kafka records handed to the reliable-ack path', 'kafka'),
  counter('kafka_err', [], 'Kafka errors', 'kafka'),
  gauge('kafka_produce_queue_size', ['type'], 'Kafka producer queue depth (type: total, events, buffer)', 'kafka'),
  ...sinkCounters('kinesis', [
    ['err', 'Kinesis errors'],
    ['publish_total', 'Kinesis records published'],
    ['publish_total_bytes', 'Kinesis bytes published'],
    ['reliable_ack_total', 'Kinesis records handed to the reliable-ack path'],
  ]),
  ...sinkCounters('pubsub', [
    ['not_connected_total', 'Pub/Sub topic provisioning failures'],
    ['publish_total', 'Pub/Sub records published'],
    ['publish_total_bytes', 'Pub/Sub bytes published'],
    ['err', 'Pub/Sub errors'],
    ['reliable_ack_total', 'Pub/Sub records handed to the reliable-ack path'],
  ]),
  ...sinkCounters('zmq', [
    ['err', 'ZMQ errors'],
    ['publish_total', 'ZMQ records published'],
    ['publish_total_bytes', 'ZMQ topic+payload bytes published'],
    ['reliable_ack_total', 'ZMQ records handed to the reliable-ack path'],
  ]),
  ...sinkCounters('mqtt', [
    ['err', 'MQTT errors'],
    ['publish_total', 'MQTT messages published'],
    ['publish_total_bytes', 'MQTT JSON bytes published'],
    ['reliable_ack_total', 'MQTT records handed to the reliable-ack path'],
  ]),
  ...sinkCounters('redis', [
    ['publish_total', 'Redis channel publishes'],
    ['publish_total_bytes', 'Redis bytes published'],
    ['err', 'Redis errors'],
    ['reliable_ack_total', 'Redis records handed to the reliable-ack path'],
  ]),
  gauge('uptime_sec', [], 'Seconds since monitoring started'),
  gauge('num_connections', [], 'Open vehicle connections, all workers'),
  gauge('num_goroutine', [], 'Active libuv handles and requests, all processes (Go: goroutines)'),
  gauge('memory_allocated_bytes', [], 'V8 heap used, all processes (Go: heap alloc)'),
  gauge('memory_heap', [], 'V8 heap size, all processes (Go: heap in use)'),
  gauge('memory_stack', [], 'Always 0: V8 does not report stack usage (Go: stack in use)'),
  gauge('gc_total_pause', [], 'Total GC pause, ms, all processes since they started'),
  gauge('gc_pause_per_second', [], 'GC pause ms per second since the last sample'),
  gauge('gc_per_second', [], 'GC cycles per second since the last sample'),
];

export const SECONDS_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const FRAME_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];
const BYTE_BUCKETS = [256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304];

/** Ours (no upstream counterpart), all named `gateway_*`. */
export const GATEWAY_METRICS: readonly CatalogueEntry[] = [
  counter('gateway_replies_total', ['kind'], 'Replies written, by kind: ack, error, reliable_ack'),
  counter(
    'gateway_unanswered_frames_total',
    ['reason'],
    'Vehicle frames that get no reply, by reason: refused (D6), delivery_failed, dispatch_failed (its batch failed), rate_limited (D3), shed (in-flight bound), draining',
  ),
  counter('gateway_sink_refused_total', ['sink', 'record_type'], 'Records a sink refused at produce time (D6)'),
  gauge('gateway_sink_inflight_records', ['sink'], 'Records handed to a sink and not yet delivered or failed (sinks that report it)'),
  histogram(
    'gateway_sink_delivery_seconds',
    ['sink', 'result'],
    SECONDS_BUCKETS,
    'Produce to delivery report, per sink (result: ok, failed)',
  ),
  gauge('gateway_reliable_ack_pending', [], 'ACKs waiting for a reliable-ack delivery confirmation (§9)'),
  histogram(
    'gateway_reliable_ack_wait_seconds',
    ['dispatcher'],
    SECONDS_BUCKETS,
    'Produce to delivery confirmation of reliable-ack records',
  ),
  gauge('gateway_dispatch_queue_batches', [], 'Batches handed to dispatch lanes and not yet returned'),
  histogram('gateway_dispatch_task_seconds', [], SECONDS_BUCKETS, 'Time a dispatch lane spends on one batch'),
  histogram('gateway_dispatch_batch_seconds', [], SECONDS_BUCKETS, 'Batch hand-off to result, queue wait included'),
  histogram('gateway_batch_frames', [], FRAME_BUCKETS, 'Entries per batch'),
  histogram('gateway_batch_bytes', [], BYTE_BUCKETS, 'Frame bytes per batch'),
  counter(
    'gateway_unfinished_handshakes_total',
    [],
    'Connections closed before they were answered: TLS or the WebSocket upgrade request never completed (closed by the listener after about 30 s of silence, a refused certificate, or the client left)',
  ),
  counter(
    'gateway_flooding_closed_total',
    [],
    'Connections closed for sending faster than they could be read, which held every other connection of their worker up: over 4 MiB of frames (each counted 1 KiB more than its size) within one event-loop turn',
  ),
  counter(
    'gateway_flooder_sessions_refused_total',
    [],
    'Sessions closed right after the upgrade because their worker closed a connection of the same vehicle for flooding within the last 10 s',
  ),
  gauge('gateway_workers_listening', [], 'Worker processes whose listener is up'),
  counter('gateway_worker_restarts_total', [], 'Worker processes that exited and were replaced'),
  counter(
    'gateway_vin_refused_total',
    ['reason'],
    'Connections refused by the VIN allowlist, by reason: not_listed (closed right after the upgrade), removed (open session closed by a reload)',
  ),
  counter(
    'gateway_forwarded_certificate_refused_total',
    ['reason'],
    'Requests with a forwarded client certificate refused (trusted_proxy), by reason: untrusted_source, direct_and_forwarded, missing, malformed, unverified',
  ),
  counter(
    'gateway_airbrake_notices_total',
    ['outcome'],
    'Airbrake notices sent, by outcome: sent (2xx), failed (error, timeout, other status)',
  ),
  counter(
    'gateway_airbrake_dropped_total',
    ['reason'],
    'Error reports not sent to Airbrake, by reason: rate_limited (over the per-kind budget), queue_full (Airbrake slower than the errors)',
  ),
];

export const CATALOGUE: readonly CatalogueEntry[] = [...REFERENCE_METRICS, ...GATEWAY_METRICS];

const BY_NAME = new Map(CATALOGUE.map((m) => [m.name, m]));

export function catalogueEntry(name: string): CatalogueEntry | undefined {
  return BY_NAME.get(name);
}
