/**
 * The MQTT sink (PROTOCOL.md §10.5) in a dispatch lane. `produce` issues every message of the record
 * at once and answers; the publishes complete later, sharing one `publish_timeout_ms` deadline.
 *
 * Verdicts: issued ⇒ accepted (without reliable acks the ACK goes out now); not connected, more
 * than `max_buffered_records` in flight, or closing ⇒ refused: no ACK, the vehicle resends
 * (DEVIATIONS.md D6). A record is delivered when every publish completed without error in time
 * (with QoS ≥ 1: every PUBACK/PUBCOMP); then, for a reliable-ack type, the ACK is released (§9).
 */
import { logError } from '../../../shared/log';
import type { Logger } from '../../../shared/log';
import type { Counter, DeliveryTracker, Metrics } from '../../../shared/metrics';
import { topicName } from '../../../shared/record';
import type { DeliveryConfirmation, ProduceVerdict, Sink, SinkRecord } from '../sink';
import { ACCEPTED } from '../sink';
import { mqttMessages } from './mqtt-messages';
import { settledWithin } from '../../../shared/deadline';

/** What the sink needs of an MQTT client (mqtt-client.ts wraps mqtt.js). */
export interface MqttConnection {
  readonly connected: boolean;
  /**
   * Publishes with the configured QoS and retained flag; `done` runs once (error when it failed).
   * Returns `abandon`: the client forgets the message (never resends it after a reconnect).
   */
  publish(topic: string, json: string, done: (error: Error | undefined) => void): () => void;
  /** Disconnects, waiting up to `timeoutMs` for outgoing messages. */
  close(timeoutMs: number): Promise<void>;
}

export interface MqttSinkOptions {
  namespace: string;
  topicBase: string;
  publishTimeoutMs: number;
  disconnectTimeoutMs: number;
  maxBufferedRecords: number;
}

/** Close waits for publishes at most this long: the primary stops a worker 5 s after its drain deadline. */
export const CLOSE_FLUSH_TIMEOUT_MS = 4_000;

/**
 * Failed publishes come in bursts (a record whose messages all time out, a broker dropping the
 * connection over one message): the first failure is logged, the rest of the burst only counted,
 * with at most one more line per this interval. A completed publish ends the burst.
 */
export const PUBLISH_ERROR_LOG_INTERVAL_MS = 10_000;

/** Record types whose messages are counted in mqtt_publish_total (§10.5: connectivity is not). */
const COUNTED_TYPES = new Set(['V', 'alerts', 'errors']);

interface InFlight {
  readonly recordType: string;
  readonly txid: string;
  readonly vin: string;
  readonly startedAt: number;
  readonly confirm: DeliveryConfirmation | undefined;
  /** Publishes not completed yet. */
  outstanding: number;
  failed: boolean;
  timer: NodeJS.Timeout | undefined;
  readonly abandon: (() => void)[];
}

export class MqttSink implements Sink {
  private readonly errors: Counter<'record_type'>;
  private readonly published: Counter<'record_type'>;
  private readonly publishedBytes: Counter<'record_type'>;
  private readonly reliableAcks: Counter<'record_type'>;
  private readonly delivery: DeliveryTracker;
  private readonly inFlight = new Set<InFlight>();
  private closing = false;
  /** The publish-error log throttle: in a burst since a logged failure; failures not logged since. */
  private failureBurst = { active: false, loggedAt: 0, suppressed: 0 };
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly connection: MqttConnection,
    private readonly logger: Logger,
    metrics: Metrics,
    private readonly options: MqttSinkOptions,
  ) {
    this.errors = metrics.counter('mqtt_err', ['record_type']);
    this.published = metrics.counter('mqtt_publish_total', ['record_type']);
    this.publishedBytes = metrics.counter('mqtt_publish_total_bytes', ['record_type']);
    this.reliableAcks = metrics.counter('mqtt_reliable_ack_total', ['record_type']);
    this.delivery = metrics.delivery('mqtt');
  }

  produce(record: SinkRecord, confirm?: DeliveryConfirmation): ProduceVerdict {
    if (this.closing) return { accepted: false, reason: 'mqtt: closing' };
    if (!this.connection.connected) {
      this.errors.inc({ record_type: record.recordType });
      return { accepted: false, reason: 'mqtt: not connected to the broker' };
    }
    if (this.inFlight.size >= this.options.maxBufferedRecords)
      return { accepted: false, reason: `mqtt: buffer full (${this.inFlight.size} records being published)` };

    const built = mqttMessages(this.options.topicBase, record.vin, record.recordType, record.decoded);
    const labels = { record_type: record.recordType };
    const r: InFlight = {
      recordType: record.recordType,
      txid: record.txid,
      vin: record.vin,
      startedAt: this.delivery.started(),
      confirm,
      outstanding: built.messages.length,
      failed: !built.ok,
      timer: undefined,
      abandon: [],
    };
    if (!built.ok) {
      if (built.unknownType === true) {
        logError(this.logger, 'mqtt_unknown_payload_type', built.error, {
          record_type: record.recordType,
          txid: record.txid,
          vin: record.vin,
        });
      } else {
        this.errors.inc(labels);
        logError(this.logger, 'mqtt_process_payload_error', built.error, {
          record_type: record.recordType,
          txid: record.txid,
          vin: record.vin,
        });
      }
    }
    this.inFlight.add(r);
    const counted = COUNTED_TYPES.has(record.recordType);
    for (const m of built.messages) {
      if (counted) {
        this.published.inc(labels);
        this.publishedBytes.inc(labels, Buffer.byteLength(m.json));
      }
      r.abandon.push(this.connection.publish(m.topic, m.json, (error) => this.completed(r, error)));
    }
    if (r.outstanding === 0) this.finish(r);
    else if (this.inFlight.has(r)) r.timer = setTimeout(() => this.timedOut(r), this.options.publishTimeoutMs);
    return ACCEPTED;
  }

  healthy(): boolean {
    return this.connection.connected;
  }

  /** Waits for what is in flight (at most CLOSE_FLUSH_TIMEOUT_MS; the rest fails), then disconnects. */
  async close(): Promise<void> {
    this.closing = true;
    await settledWithin(this.idle(), CLOSE_FLUSH_TIMEOUT_MS);
    for (const r of [...this.inFlight]) this.timedOut(r);
    await this.connection.close(this.options.disconnectTimeoutMs);
  }

  private idle(): Promise<void> {
    if (this.inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private completed(r: InFlight, error: Error | undefined): void {
    if (!this.inFlight.has(r)) return; // timed out already
    r.outstanding--;
    if (error !== undefined) this.publishFailed(r, error.message);
    else this.failureBurst.active = false;
    if (r.outstanding === 0) this.finish(r);
  }

  /** §10.5: each publish not completed by the shared deadline is a failure of its own. */
  private timedOut(r: InFlight): void {
    if (!this.inFlight.has(r)) return;
    for (; r.outstanding > 0; r.outstanding--) this.publishFailed(r, `publish not completed within ${this.options.publishTimeoutMs} ms`);
    this.finish(r);
    // A QoS ≥ 1 client resends what was not acknowledged after every reconnect: a message the
    // broker disconnects us for (larger than its max packet size) would then drop the connection
    // forever. Past the deadline the record has failed; its messages are not resent.
    for (const abandon of r.abandon) abandon();
  }

  private publishFailed(r: InFlight, error: string): void {
    r.failed = true;
    this.errors.inc({ record_type: r.recordType });
    const burst = this.failureBurst;
    const now = Date.now();
    if (burst.active && now - burst.loggedAt < PUBLISH_ERROR_LOG_INTERVAL_MS) {
      burst.suppressed++;
      return;
    }
    logError(this.logger, 'mqtt_publish_error', error, {
      topic_name: topicName(this.options.namespace, r.recordType),
      txid: r.txid,
      vin: r.vin,
      ...(burst.suppressed > 0 ? { suppressed: burst.suppressed } : {}),
    });
    this.failureBurst = { active: true, loggedAt: now, suppressed: 0 };
  }

  private finish(r: InFlight): void {
    if (!this.inFlight.delete(r)) return;
    clearTimeout(r.timer);
    this.delivery.settled(r.startedAt, !r.failed);
    if (r.confirm !== undefined) {
      if (!r.failed) this.reliableAcks.inc({ record_type: r.recordType });
      r.confirm(!r.failed);
    }
    if (this.inFlight.size === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }
}
