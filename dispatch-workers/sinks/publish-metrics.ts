/**
 * The metrics every publishing sink keeps (PROTOCOL.md §11.2): `<sink>_err`, `<sink>_publish_total`,
 * `<sink>_publish_total_bytes` and `<sink>_reliable_ack_total` by record type, plus the delivery
 * tracker (in-flight records, delivery latency). Registered when the sink is created (§11.1).
 */
import type { Counter, DeliveryTracker, Metrics } from '../../shared/metrics';
import type { DeliveryConfirmation } from './sink';

export class PublishMetrics {
  private readonly errors: Counter<'record_type'>;
  private readonly published: Counter<'record_type'>;
  private readonly publishedBytes: Counter<'record_type'>;
  private readonly reliableAcks: Counter<'record_type'>;
  private readonly delivery: DeliveryTracker;

  constructor(metrics: Metrics, sink: string) {
    this.errors = metrics.counter(`${sink}_err`, ['record_type']);
    this.published = metrics.counter(`${sink}_publish_total`, ['record_type']);
    this.publishedBytes = metrics.counter(`${sink}_publish_total_bytes`, ['record_type']);
    this.reliableAcks = metrics.counter(`${sink}_reliable_ack_total`, ['record_type']);
    this.delivery = metrics.delivery(sink);
  }

  /** A record handed to the broker: the delivery tracker's start time, for `delivered` / `failed`. */
  started(): number {
    return this.delivery.started();
  }

  /** A record refused before it was handed to the broker (counted as an error, not in flight). */
  refused(recordType: string): void {
    this.errors.inc({ record_type: recordType });
  }

  /** The broker took the record: counted, and a reliable-ack record is confirmed. */
  delivered(recordType: string, bytes: number, startedAt: number, confirm: DeliveryConfirmation | undefined): void {
    const labels = { record_type: recordType };
    this.published.inc(labels);
    this.publishedBytes.inc(labels, bytes);
    this.delivery.settled(startedAt, true);
    if (confirm !== undefined) {
      this.reliableAcks.inc(labels);
      confirm(true);
    }
  }

  /** The record failed for good: counted, and a reliable-ack record is confirmed as failed. */
  failed(recordType: string, startedAt: number, confirm: DeliveryConfirmation | undefined): void {
    this.errors.inc({ record_type: recordType });
    this.delivery.settled(startedAt, false);
    confirm?.(false);
  }
}
