/**
 * The Kafka sink (PROTOCOL.md §10.1) on node-rdkafka. It runs on a worker's main thread (the
 * addon cannot load in a worker thread); librdkafka batches and does its network I/O on native
 * threads, so this side only enqueues records and handles delivery reports.
 *
 * A record librdkafka refuses at enqueue (local queue full) or fails to deliver is never ACKed
 * (DEVIATIONS.md D6): the vehicle resends it.
 *
 * Startup does not wait for the broker (upstream's librdkafka connects lazily, §12.3): the sink
 * exists at once and connects in the background, retrying; until then it is unhealthy (/readyz
 * names it), holds records (held-records.ts) and says every few seconds what it waits for.
 */
import { CODES, Producer } from 'node-rdkafka';
import type { DeliveryReport, LibrdKafkaError, MessageHeader } from 'node-rdkafka';
import { topicName } from '../../../shared/record';
import { activity, logError } from '../../../shared/log';
import type { Logger } from '../../../shared/log';
import type { Metrics } from '../../../shared/metrics';
import type { DeliveryConfirmation, ProduceVerdict, Sink, SinkRecord } from '../sink';
import { ACCEPTED } from '../sink';
import type { HeldRecords } from './held-records';

/** How often librdkafka's delivery reports are polled onto the event loop: bounds reliable-ACK latency. */
const POLL_INTERVAL_MS = 5;
/** One connection attempt (node-rdkafka's connect waits for broker metadata); also the waiting log's period. */
const CONNECT_ATTEMPT_MS = 5_000;
/**
 * The first attempt, which the start waits for, is short: a producer librdkafka refuses fails at
 * once, and a broker that does not answer within it is waited for in the background.
 */
const FIRST_ATTEMPT_MS = 1_000;
/** Connect failures that mean "the broker is not reachable (yet)"; any other one is a config error. */
const UNREACHABLE = new Set<number>([
  CODES.ERRORS.ERR__TRANSPORT,
  CODES.ERRORS.ERR__TIMED_OUT,
  CODES.ERRORS.ERR__ALL_BROKERS_DOWN,
  CODES.ERRORS.ERR__RESOLVE,
]);
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
  /** Until the first connection succeeds, records wait in `held`. */
  private connected = false;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;
  private readonly startedAt = Date.now();

  private constructor(
    private readonly producer: Producer,
    private readonly namespace: string,
    private readonly bootstrap: string,
    private readonly held: HeldRecords,
    private readonly logger: Logger,
    metrics: Metrics,
  ) {
    this.metrics = kafkaMetrics(metrics);
    producer.on('delivery-report', (error: LibrdKafkaError | null, report: DeliveryReport) => this.delivered(error, report));
    producer.on('event.error', (error: LibrdKafkaError) => {
      this.metrics.errors.inc();
      // Transport failures mean the broker is unreachable until a metadata request succeeds again.
      this.brokerReachable = false;
      // Before the first connection the periodic `kafka_not_connected` line says it, once per attempt.
      if (this.connected) logError(logger, 'kafka_err', `producer_error ${error.message}`, { code: error.code });
    });
    producer.setPollInterval(POLL_INTERVAL_MS); // node-rdkafka starts polling once connected
    this.housekeeping = setInterval(() => this.tick(), HOUSEKEEPING_MS);
    this.housekeeping.unref();
  }

  /**
   * The sink after the first connection attempt: connected, or still waiting for an unreachable
   * broker (it keeps trying in the background). A producer librdkafka refuses to create (conflicting
   * properties) fails the start, as upstream's creation errors do.
   */
  static start(
    properties: Record<string, string | number | boolean>,
    topicProperties: Record<string, string | number | boolean>,
    namespace: string,
    held: HeldRecords,
    logger: Logger,
    metrics: Metrics,
  ): Promise<KafkaSink> {
    const producer = new Producer(properties, topicProperties);
    const sink = new KafkaSink(producer, namespace, String(properties['bootstrap.servers']), held, logger, metrics);
    return new Promise((resolve, reject) =>
      sink.connect((error) => {
        if (error === undefined) resolve(sink);
        else {
          sink.stop();
          reject(new Error(`kafka: cannot create the producer: ${error.message}`));
        }
      }),
    );
  }

  /** `firstAttempt` learns whether the first attempt left a working producer (connected or waiting). */
  private connect(firstAttempt?: (fatal: LibrdKafkaError | undefined) => void): void {
    const attemptStarted = Date.now();
    this.producer.connect({ timeout: firstAttempt === undefined ? CONNECT_ATTEMPT_MS : FIRST_ATTEMPT_MS }, (error) => {
      if (this.closed) {
        if (!error) this.producer.disconnect(() => undefined);
        return;
      }
      if (error && firstAttempt !== undefined && !UNREACHABLE.has(error.code)) {
        firstAttempt(error);
        return;
      }
      firstAttempt?.(undefined);
      if (error) {
        logError(this.logger, 'kafka_not_connected', `waiting for bootstrap.servers=${this.bootstrap}: ${error.message}`, {
          waited_s: Math.round((Date.now() - this.startedAt) / 1000),
          held_records: this.held.size,
        });
        // A refusal can come back at once: attempts (and their log lines) stay one period apart.
        this.retry = setTimeout(() => this.connect(), Math.max(0, CONNECT_ATTEMPT_MS - (Date.now() - attemptStarted)));
        return;
      }
      this.connected = true;
      this.brokerReachable = true;
      activity(this.logger, 'kafka_registered', { namespace: this.namespace, held_records: this.held.size });
      for (const { record, confirm } of this.held.takeAll()) {
        const verdict = this.produce(record, confirm);
        if (!verdict.accepted) confirm?.(false);
      }
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
    // Checked before holding: a held record (already ACKed without reliable acks) must be producible later.
    if (!this.connected) {
      if (this.held.hold(record, confirm)) return ACCEPTED;
      this.metrics.errors.inc();
      return {
        accepted: false,
        reason: `kafka: not connected to bootstrap.servers=${this.bootstrap} yet and ${this.held.limit} records already held`,
      };
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

  /** For /readyz: false until the first connection, and from a transport error until the broker answers again. */
  healthy(): boolean {
    return this.connected && this.brokerReachable;
  }

  private tick(): void {
    // librdkafka queues inside itself; what this side knows is what waits for a report.
    this.metrics.queueSize.set({ type: 'total' }, this.waiting);
    this.metrics.queueSize.set({ type: 'events' }, 0);
    this.metrics.queueSize.set({ type: 'buffer' }, this.waiting);
    if (this.connected && !this.brokerReachable) {
      this.producer.getMetadata({ timeout: HOUSEKEEPING_MS / 2 }, (error) => {
        if (!error) this.brokerReachable = true;
      });
    }
  }

  private stop(): void {
    clearInterval(this.housekeeping);
    this.closed = true;
  }

  close(): Promise<void> {
    this.stop();
    if (!this.connected) {
      clearTimeout(this.retry);
      const never = this.held.takeAll();
      // Reliable ones were never ACKed (the vehicle resends); the others were, and are lost: say so.
      for (const { confirm } of never) confirm?.(false);
      const acked = never.filter((h) => h.confirm === undefined).length;
      if (acked > 0)
        logError(
          this.logger,
          'kafka_err',
          `stopped before bootstrap.servers=${this.bootstrap} ever answered: ${acked} ACKed records not delivered`,
          {
            records: acked,
          },
        );
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.producer.flush(CLOSE_FLUSH_TIMEOUT_MS, (error) => {
        if (error) logError(this.logger, 'producer_close_error', error.message, { dispatcher: 'kafka' });
        this.producer.disconnect(() => resolve());
      });
    });
  }
}
