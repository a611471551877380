/**
 * What the record pipeline counts per outcome (PROTOCOL.md §5.2, with DEVIATIONS.md D2 and D4),
 * into the lane's recorder; the counts leave with the batch result. Connectivity records (§7) are
 * never counted here.
 */
import { performance } from 'node:perf_hooks';
import type { BoundCounter, BoundGauge, Counter, Gauge, Histogram, Metrics } from '../../shared/metrics';

export interface RecordMetrics {
  /** §5.2 TooBig: `unexpected_record_err_total`, then `record_too_big_total`. */
  tooBig(): void;
  /** D2: only `unknown_message_type_error_total{msg_type}` (no record of type ""). */
  unknownType(msgType: string): void;
  /** §5.2 Malformed: `unexpected_record_err_total`. */
  malformed(): void;
  /** §5.2 OK: record, size and dispatch totals; D4: the signals of every accepted record. */
  dispatched(recordType: string, payloadBytes: number, signals: number, vin: string): void;
  /** A sink refused the record at produce time; `frameUnanswered`: its frame loses its ACK by it (D6). */
  refused(sink: string, recordType: string, frameUnanswered: boolean): void;
  /**
   * The sinks a frame's reply waited for decided; `dispatcher`: its reliable-ack source, if any
   * (else a sink held it for back-pressure); `startedAt` is `performance.now()` at produce time.
   */
  confirmed(dispatcher: string | undefined, startedAt: number, delivered: boolean): void;
}

interface TypeCounters {
  records: BoundCounter;
  dispatched: BoundCounter;
  bytes: BoundCounter;
  signals: BoundGauge;
}

/** undefined when monitoring is off: the pipeline then skips counting altogether. */
export function createRecordMetrics(metrics: Metrics, trackedVins: readonly string[]): RecordMetrics | undefined {
  return metrics.enabled ? new CountingRecordMetrics(metrics, new Set(trackedVins)) : undefined;
}

class CountingRecordMetrics implements RecordMetrics {
  private readonly byType = new Map<string, TypeCounters>();
  private readonly unexpected: BoundCounter;
  private readonly tooBigTotal: BoundCounter;
  private readonly refusedFrames: BoundCounter;
  private readonly failedFrames: BoundCounter;
  private readonly unknownTypes: Counter<'msg_type'>;
  private readonly vinSignals: Gauge<'record_type' | 'vin'>;
  private readonly sinkRefused: Counter<'sink' | 'record_type'>;
  private readonly ackWait: Histogram<'dispatcher'>;

  constructor(
    private readonly metrics: Metrics,
    private readonly trackedVins: ReadonlySet<string>,
  ) {
    this.unexpected = metrics.counter('unexpected_record_err_total').labels({});
    this.tooBigTotal = metrics.counter('record_too_big_total').labels({});
    const unanswered = metrics.counter('gateway_unanswered_frames_total', ['reason']);
    this.refusedFrames = unanswered.labels({ reason: 'refused' });
    this.failedFrames = unanswered.labels({ reason: 'delivery_failed' });
    this.unknownTypes = metrics.counter('unknown_message_type_error_total', ['msg_type']);
    this.vinSignals = metrics.gauge('vin_signal_count', ['record_type', 'vin']);
    this.sinkRefused = metrics.counter('gateway_sink_refused_total', ['sink', 'record_type']);
    this.ackWait = metrics.histogram('gateway_reliable_ack_wait_seconds', ['dispatcher']);
    metrics.counter('unauthorized_sender_id_total'); // S5: registered, never incremented
  }

  tooBig(): void {
    this.unexpected.inc();
    this.tooBigTotal.inc();
  }

  unknownType(msgType: string): void {
    this.unknownTypes.inc({ msg_type: msgType });
  }

  malformed(): void {
    this.unexpected.inc();
  }

  dispatched(recordType: string, payloadBytes: number, signals: number, vin: string): void {
    const c = this.byType.get(recordType) ?? this.countersFor(recordType);
    c.records.inc();
    c.bytes.inc(payloadBytes);
    c.dispatched.inc();
    c.signals.inc(signals);
    if (this.trackedVins.has(vin)) {
      this.vinSignals.inc({ record_type: recordType, vin }, signals);
    }
  }

  refused(sink: string, recordType: string, frameUnanswered: boolean): void {
    this.sinkRefused.inc({ sink, record_type: recordType });
    if (frameUnanswered) this.refusedFrames.inc();
  }

  confirmed(dispatcher: string | undefined, startedAt: number, delivered: boolean): void {
    if (dispatcher !== undefined) this.ackWait.observe({ dispatcher }, (performance.now() - startedAt) / 1000);
    if (!delivered) this.failedFrames.inc();
  }

  private countersFor(recordType: string): TypeCounters {
    const labels = { record_type: recordType };
    const c: TypeCounters = {
      records: this.metrics.counter('record_total', ['record_type']).labels(labels),
      dispatched: this.metrics.counter('dispatch_total', ['record_type']).labels(labels),
      bytes: this.metrics.counter('record_size_bytes_total', ['record_type']).labels(labels),
      signals: this.metrics.gauge('signal_count', ['record_type']).labels(labels),
    };
    this.byType.set(recordType, c);
    return c;
  }
}
