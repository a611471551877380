/**
 * The Kafka sink (PROTOCOL.md §10.1) on node-rdkafka. It runs on a worker's main thread (the
 * addon cannot load in a worker thread); librdkafka batches and does its network I/O on native
 * threads, so this side only enqueues records and handles delivery reports.
 *
 * A record librdkafka refuses at enqueue (local queue full) or fails to deliver is never ACKed
 * (DEVIATIONS.md D6): the vehicle resends it.
 */
import { Producer } from 'node-rdkafka';
import type { DeliveryReport, LibrdKafkaError, MessageHeader } from 'node-rdkafka';
import { topicName } from '../../../shared/record';
import { activity, logError } from '../../../shared/log';
import type { Logger } from '../../../shared/log';
import type { Metrics } from '../../../shared/metrics';
import type { DeliveryConfirmation, ProduceVerdict, Sink, SinkRecord } from '../sink';
import { ACCEPTED } from '../sink';

/** How often librdkafka's delivery reports are polled onto the event loop: bounds reliable-ACK latency. */
const POLL_INTERVAL_MS = 5;
const CONNECT_TIMEOUT_MS = 30_000;
const CLOSE_FLUSH_TIMEOUT_MS = 10_000;
/** §10.1: the queue-size gauge is refreshed every 5 s; the same tick re-checks a lost broker. */
const HOUSEKEEPING_MS = 5_000;

/**
 * An empty, non-null Kafka value (PROTOCOL.md §10.1: an empty payload is produced as an empty value,
 * not a tombstone): node-rdkafka copies from the buffer's data pointer, and only a view into a real
 * allocation has one.
 */
const EMPTY_VALUE = Buffer.alloc(1).subarray(0, 0);

/**
 * node-rdkafka 3.6.1 turns every header value into a JS string and copies it as a C string
 * (src/producer.cc): bytes that are not valid UTF-8 arrive as U+FFFD and a NUL ends the value. Such
 * a header cannot be produced as sent, so the record is refused (DEVIATIONS.md D12); returns why.
 */
function inexactHeader(record: SinkRecord): string | undefined {
  if (record.alteredMetadata !== undefined) return `${record.alteredMetadata} is not valid UTF-8`;
  const m = record.metadata;
  if (m.txid.includes('\0')) return 'txid contains a NUL byte';
  if (m.vin.includes('\0')) return 'vin contains a NUL byte';
  if (m.txtype.includes('\0')) return 'txtype contains a NUL byte';
  if (m.device_client_version.includes('\0')) return 'device_client_version contains a NUL byte';
  return undefined;
}

/** What travels with each message as librdkafka's opaque, back in its delivery report. */
interface InFlight {
  recordType: string;
  bytes: number;
  startedAt: number;
  confirm: DeliveryConfirmation | undefined;
}

/** The §11.2 kafka_* metrics, registered when the sink is created (§11.1). */
function kafkaMetrics(metrics: Metrics) {
  return {
    produced: metrics.counter('kafka_produce_total', ['record_type']),
    producedBytes: metrics.counter('kafka_produce_total_bytes', ['record_type']),
    acked: metrics.counter('kafka_produce_ack_total', ['record_type']),
    ackedBytes: metrics.counter('kafka_produce_ack_total_bytes', ['record_type']),
    reliableAcks: metrics.counter('kafka_reliable_ack_total', ['record_type']),
    errors: metrics.counter('kafka_err'),
    queueSize: metrics.gauge('kafka_produce_queue_size', ['type']),
    delivery: metrics.delivery('kafka'),
  };
}

export class KafkaSink implements Sink {
  private readonly metrics: ReturnType<typeof kafkaMetrics>;
  /** Records enqueued whose delivery report has not come yet. */
  private waiting = 0;
  private brokerReachable = true;
  private readonly housekeeping: NodeJS.Timeout;

  private constructor(
    private readonly producer: Producer,
    private readonly namespace: string,
    private readonly logger: Logger,
    metrics: Metrics,
  ) {
    this.metrics = kafkaMetrics(metrics);
    producer.on('delivery-report', (error: LibrdKafkaError | null, report: DeliveryReport) => this.delivered(error, report));
    producer.on('event.error', (error: LibrdKafkaError) => {
      this.metrics.errors.inc();
      // Transport failures mean the broker is unreachable until a metadata request succeeds again.
      this.brokerReachable = false;
      logError(logger, 'kafka_err', `producer_error ${error.message}`, { code: error.code });
    });
    producer.setPollInterval(POLL_INTERVAL_MS);
    this.housekeeping = setInterval(() => this.tick(), HOUSEKEEPING_MS);
    this.housekeeping.unref();
  }

  static connect(
    properties: Record<string, string | number | boolean>,
    topicProperties: Record<string, string | number | boolean>,
    namespace: string,
    logger: Logger,
    metrics: Metrics,
  ): Promise<KafkaSink> {
    const producer = new Producer(properties, topicProperties);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        // node-rdkafka throws 'Producer not connected' from disconnect() when it never connected.
        if (producer.isConnected()) producer.disconnect();
        reject(
          new Error(
            `kafka: no connection to bootstrap.servers=${String(properties['bootstrap.servers'])} within ${CONNECT_TIMEOUT_MS / 1000} s`,
          ),
        );
      }, CONNECT_TIMEOUT_MS);
      producer.connect({ timeout: CONNECT_TIMEOUT_MS }, (error) => {
        clearTimeout(timer);
        if (error) {
          reject(new Error(`kafka: cannot connect to bootstrap.servers=${String(properties['bootstrap.servers'])}: ${error.message}`));
          return;
        }
        activity(logger, 'kafka_registered', { namespace });
        resolve(new KafkaSink(producer, namespace, logger, metrics));
      });
    });
  }

  produce(record: SinkRecord, confirm?: DeliveryConfirmation): ProduceVerdict {
    const m = record.metadata;
    const inexact = inexactHeader(record);
    if (inexact !== undefined) {
      this.metrics.errors.inc();
      const reason = `kafka: header ${inexact}: node-rdkafka would alter it, record refused (gateway/DEVIATIONS.md D12)`;
      logError(this.logger, 'kafka_err', reason, { record_type: record.recordType, txid: m.txid, vin: record.vin });
      return { accepted: false, reason };
    }
    // A zero-length view of a zero-length ArrayBuffer has no data pointer, which librdkafka sends as a null value.
    const value =
      record.payload.length === 0 ? EMPTY_VALUE : Buffer.from(record.payload.buffer, record.payload.byteOffset, record.payload.byteLength);
    const headers: MessageHeader[] = [
      { vin: m.vin },
      { receivedat: m.receivedat },
      { timestamp: m.timestamp },
      { txid: m.txid },
      { txtype: m.txtype },
      { version: m.version },
      { device_client_version: m.device_client_version },
    ];
    const labels = { record_type: record.recordType };
    const inFlight: InFlight = { recordType: record.recordType, bytes: value.length, startedAt: this.metrics.delivery.started(), confirm };
    try {
      // Partition "any": librdkafka's consistent_random partitioner (CRC32 of the key), as upstream.
      this.producer.produce(topicName(this.namespace, record.recordType), null, value, record.vin, Date.now(), inFlight, headers);
      this.waiting++;
      this.metrics.produced.inc(labels);
      this.metrics.producedBytes.inc(labels, value.length);
      return ACCEPTED;
    } catch (error) {
      this.metrics.delivery.settled(inFlight.startedAt, false);
      this.metrics.errors.inc();
      const reason = error instanceof Error ? error.message : String(error);
      logError(this.logger, 'kafka_err', reason, { record_type: record.recordType, txid: record.txid, vin: record.vin });
      return { accepted: false, reason: `kafka: ${reason}` };
    }
  }

  private delivered(error: LibrdKafkaError | null, report: DeliveryReport): void {
    const inFlight = report.opaque as InFlight;
    this.waiting--;
    this.metrics.delivery.settled(inFlight.startedAt, !error);
    if (error) {
      this.metrics.errors.inc();
      logError(this.logger, 'kafka_err', `topic_partition_error ${error.message}`, { topic: report.topic, partition: report.partition });
      inFlight.confirm?.(false);
      return;
    }
    this.brokerReachable = true;
    const labels = { record_type: inFlight.recordType };
    this.metrics.acked.inc(labels);
    this.metrics.ackedBytes.inc(labels, inFlight.bytes);
    if (inFlight.confirm !== undefined) {
      this.metrics.reliableAcks.inc(labels);
      inFlight.confirm(true);
    }
  }

  /** For /readyz: false from a transport error until the broker answers again. */
  healthy(): boolean {
    return this.brokerReachable;
  }

  private tick(): void {
    // librdkafka queues inside itself; what this side knows is what waits for a report.
    this.metrics.queueSize.set({ type: 'total' }, this.waiting);
    this.metrics.queueSize.set({ type: 'events' }, 0);
    this.metrics.queueSize.set({ type: 'buffer' }, this.waiting);
    if (!this.brokerReachable) {
      this.producer.getMetadata({ timeout: HOUSEKEEPING_MS / 2 }, (error) => {
        if (!error) this.brokerReachable = true;
      });
    }
  }

  close(): Promise<void> {
    clearInterval(this.housekeeping);
    return new Promise((resolve) => {
      this.producer.flush(CLOSE_FLUSH_TIMEOUT_MS, (error) => {
        if (error) logError(this.logger, 'producer_close_error', error.message, { dispatcher: 'kafka' });
        this.producer.disconnect(() => resolve());
      });
    });
  }
}
