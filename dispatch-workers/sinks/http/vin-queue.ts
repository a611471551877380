/**
 * The webhook's queue, built for per-VIN order: a VIN has at most one request in flight. Records
 * wait per VIN in arrival order; a request takes whole prefixes of the queues of VINs that have
 * nothing in flight (the "ready" VINs, oldest first), and a VIN is ready again only once its
 * request settled (delivered or failed for good, retries included). So a VIN's records reach the
 * receiver in order however requests fail, retry or overtake each other.
 */

export interface Queued {
  readonly vin: string;
  /** Encoded size (the record's JSON text). */
  readonly bytes: number;
}

export class VinQueue<T extends Queued> {
  private readonly waiting = new Map<string, T[]>();
  /** VINs with waiting records and no request in flight, in the order they became ready. */
  private readonly ready = new Set<string>();
  private readonly busy = new Set<string>();
  /** Waiting records of ready VINs: what the next request can take. */
  readyRecords = 0;
  readyBytes = 0;

  push(item: T): void {
    let list = this.waiting.get(item.vin);
    if (list === undefined) {
      list = [];
      this.waiting.set(item.vin, list);
    }
    list.push(item);
    if (this.busy.has(item.vin)) return;
    this.ready.add(item.vin);
    this.readyRecords++;
    this.readyBytes += item.bytes;
  }

  /**
   * Takes up to `maxRecords` records and `maxBytes` bytes (at least one record) from ready VINs and
   * marks those VINs busy until `release`.
   */
  take(maxRecords: number, maxBytes: number, size: (count: number, bytes: number) => number): T[] {
    const batch: T[] = [];
    let bytes = 0;
    for (const vin of this.ready) {
      const list = this.waiting.get(vin)!;
      let n = 0;
      while (n < list.length && batch.length < maxRecords) {
        const next = list[n];
        if (batch.length > 0 && size(batch.length + 1, bytes + next.bytes) > maxBytes) break;
        batch.push(next);
        bytes += next.bytes;
        n++;
      }
      if (n === 0) break; // the batch is full
      this.ready.delete(vin);
      this.busy.add(vin);
      for (const item of list) {
        this.readyRecords--;
        this.readyBytes -= item.bytes;
      }
      const rest = list.length - n;
      if (rest === 0) this.waiting.delete(vin);
      else list.splice(0, n);
      if (rest > 0 || batch.length >= maxRecords) break; // the batch is full
    }
    return batch;
  }

  /** The request that carried these VINs settled: their next records may go. */
  release(vins: Iterable<string>): void {
    for (const vin of vins) {
      if (!this.busy.delete(vin)) continue;
      const list = this.waiting.get(vin);
      if (list === undefined) continue;
      this.ready.add(vin);
      for (const item of list) {
        this.readyRecords++;
        this.readyBytes += item.bytes;
      }
    }
  }

  /** Everything still waiting (close gives up on it). */
  drain(): T[] {
    const all = [...this.waiting.values()].flat();
    this.waiting.clear();
    this.ready.clear();
    this.readyRecords = 0;
    this.readyBytes = 0;
    return all;
  }
}
