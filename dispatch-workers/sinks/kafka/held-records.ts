/**
 * Records the Kafka sink takes before its first connection to the broker (the gateway listens at
 * once, as upstream with librdkafka's lazy connect). They wait here, copied and in arrival order,
 * until the producer is connected, then go to librdkafka like any other record. The bound is the
 * one librdkafka would apply to its own queue (`queue.buffering.max.messages`).
 */
import type { DeliveryConfirmation, SinkRecord } from '../sink';

/** librdkafka's default `queue.buffering.max.messages`. */
export const DEFAULT_HOLD_LIMIT = 100_000;

export interface HeldRecord {
  record: SinkRecord;
  confirm: DeliveryConfirmation | undefined;
}

export class HeldRecords {
  private records: HeldRecord[] = [];

  constructor(readonly limit: number) {}

  get size(): number {
    return this.records.length;
  }

  /** False when full: the caller refuses the record. */
  hold(record: SinkRecord, confirm: DeliveryConfirmation | undefined): boolean {
    if (this.records.length >= this.limit) return false;
    // The payload may be a view into a batch buffer that is reused after `produce` returns.
    this.records.push({ record: { ...record, payload: Uint8Array.from(record.payload) }, confirm });
    return true;
  }

  /** Every held record, oldest first; the hold is empty afterwards. */
  takeAll(): HeldRecord[] {
    const taken = this.records;
    this.records = [];
    return taken;
  }
}

/** The hold's bound from the kafka block: its `queue.buffering.max.messages`, else librdkafka's default. */
export function holdLimit(properties: Readonly<Record<string, string | number | boolean>>): number {
  const configured = Number(properties['queue.buffering.max.messages']);
  return Number.isInteger(configured) && configured > 0 ? configured : DEFAULT_HOLD_LIMIT;
}
