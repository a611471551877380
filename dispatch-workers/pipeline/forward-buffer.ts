/**
 * Collects, for one batch, the records bound for main-thread sinks, with their payloads copied into
 * one buffer that crosses back to the main thread by transfer.
 */
import type { ForwardedRecord } from '../../shared/batch';
import type { SinkRecord } from '../sinks/sink';

export class ForwardBuffer {
  readonly records: ForwardedRecord[] = [];
  private bytes = new Uint8Array(0);
  private used = 0;
  /** The batch entry being dispatched; set by the batch loop before each entry. */
  entry = 0;

  add(sink: string, reliable: boolean, record: SinkRecord): void {
    const { payload } = record;
    if (this.used + payload.length > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.used + payload.length, 4096));
      grown.set(this.bytes.subarray(0, this.used));
      this.bytes = grown;
    }
    this.bytes.set(payload, this.used);
    this.records.push({
      entry: this.entry,
      sink,
      reliable,
      recordType: record.recordType,
      vin: record.vin,
      txid: record.txid,
      alteredMetadata: record.alteredMetadata,
      metadata: record.metadata,
      offset: this.used,
      length: payload.length,
    });
    this.used += payload.length;
  }

  payloads(): Uint8Array {
    return this.bytes.subarray(0, this.used);
  }
}
