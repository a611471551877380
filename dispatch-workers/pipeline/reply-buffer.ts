/**
 * Collects one batch's verdicts: an Outcome per entry and the reply frames, concatenated into one
 * buffer so the whole result crosses back to the main thread by transfer.
 */
import type { Outcome } from '../../shared/batch';

export class ReplyBuffer {
  readonly outcomes: Uint8Array;
  readonly replyIndex: Uint32Array;
  private bytes: Uint8Array;
  private used = 0;

  constructor(entries: number) {
    this.outcomes = new Uint8Array(entries);
    this.replyIndex = new Uint32Array(entries * 2);
    // ACK and ERROR frames are 80–200 bytes for ordinary txids.
    this.bytes = new Uint8Array(Math.max(256, entries * 128));
  }

  /** Pending: an ACK that also waits for a lane sink's delivery confirmation (PROTOCOL.md §9). */
  reply(entry: number, outcome: typeof Outcome.Ack | typeof Outcome.Error | typeof Outcome.Pending, frame: Uint8Array): void {
    this.outcomes[entry] = outcome;
    if (this.used + frame.length > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.used + frame.length));
      grown.set(this.bytes.subarray(0, this.used));
      this.bytes = grown;
    }
    this.bytes.set(frame, this.used);
    this.replyIndex[entry * 2] = this.used;
    this.replyIndex[entry * 2 + 1] = frame.length;
    this.used += frame.length;
  }

  /** Outcome.None is the zero value: entries nobody replies to need no call. */
  replies(): Uint8Array {
    return this.bytes.subarray(0, this.used);
  }
}
