/**
 * Collects, for one batch, the records bound for main-thread sinks: a row of numbers each
 * (shared/batch.ts FORWARD_STRIDE), their txids, and their payloads copied into one buffer. What
 * the main thread can rebuild from the batch (VIN, client version, receivedAt, metadata) does not
 * travel.
 */
import { FORWARD_STRIDE, ForwardFlag } from '../../shared/batch';
import type { SinkRecord } from '../sinks/sink';

export class ForwardBuffer {
  /** Rows, FORWARD_STRIDE numbers each; `count` rows used. */
  rows = new Uint32Array(16 * FORWARD_STRIDE);
  count = 0;
  readonly names: string[] = [];
  readonly txids: string[] = [];
  private readonly nameIds = new Map<string, number>();
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
    if ((this.count + 1) * FORWARD_STRIDE > this.rows.length) {
      const grown = new Uint32Array(this.rows.length * 2);
      grown.set(this.rows);
      this.rows = grown;
    }
    const at = this.count++ * FORWARD_STRIDE;
    this.rows[at] = this.entry;
    this.rows[at + 1] = this.nameId(sink);
    this.rows[at + 2] = this.nameId(record.recordType);
    this.rows[at + 3] =
      (reliable ? ForwardFlag.Reliable : 0) |
      (record.alteredMetadata === 'txid' ? ForwardFlag.AlteredTxid : 0) |
      (record.alteredMetadata === 'device_client_version' ? ForwardFlag.AlteredClientVersion : 0);
    this.rows[at + 4] = this.used;
    this.rows[at + 5] = payload.length;
    this.txids.push(record.txid);
    this.used += payload.length;
  }

  payloads(): Uint8Array {
    return this.bytes.subarray(0, this.used);
  }

  private nameId(name: string): number {
    let id = this.nameIds.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.nameIds.set(name, id);
    }
    return id;
  }
}
