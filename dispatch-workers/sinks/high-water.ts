/**
 * Back-pressure for a sink's bounded buffer (ARCHITECTURE.md "Bounded memory"): above the high-water
 * mark, half of either bound, a record is still accepted but holds its frame's reply until it has
 * left the buffer (delivered or failed), so the vehicles' windows fill and they slow down to what
 * the broker takes. Only at the bound itself is a record refused (no ACK, counted).
 */
import type { DeliveryConfirmation, ProduceVerdict } from './sink';
import { ACCEPTED } from './sink';

/** A buffered record that may hold its frame's reply. */
export interface Releasable {
  release: DeliveryConfirmation | undefined;
}

export class HighWaterMark {
  private readonly records: number;
  private readonly bytes: number;

  constructor(maxRecords: number, maxBytes: number) {
    this.records = maxRecords / 2;
    this.bytes = maxBytes / 2;
  }

  /**
   * The verdict for a record just buffered, with the buffer's fill including it. A record that
   * already waits for its delivery (a reliable-ack confirmation) holds its reply anyway.
   */
  verdict(record: Releasable, bufferedRecords: number, bufferedBytes: number, confirmed: boolean): ProduceVerdict {
    if (confirmed || (bufferedRecords <= this.records && bufferedBytes <= this.bytes)) return ACCEPTED;
    return {
      accepted: true,
      held: (release) => {
        record.release = release;
      },
    };
  }
}
