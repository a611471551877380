/** Fakes for the reply ledger's unit tests: a session writer and a batch result. */
import { Outcome } from '../../shared/batch';
import type { DispatchResult, ForwardedRecord } from '../../shared/batch';
import { recordMetadata } from '../../shared/record';
import type { ReplyWriter } from '../../gateway/replies/reply-queue';

/** A session's writer that records each corked write as one array of replies. */
export class FakeWriter implements ReplyWriter {
  readonly identity = { socketId: 'sock', deviceId: 'VIN1', senderId: 'vehicle_device.VIN1', clientVersion: '' };
  isOpen = true;
  readonly writes: string[][] = [];
  private current: string[] | undefined;
  corked(writeAll: () => void): void {
    this.current = [];
    writeAll();
    if (this.current.length > 0) this.writes.push(this.current);
    this.current = undefined;
  }
  write(reply: Uint8Array): void {
    if (this.current === undefined) throw new Error('write outside a cork');
    this.current.push(Buffer.from(reply).toString());
  }
  get replies(): string[] {
    return this.writes.flat();
  }
}

/** A batch result whose entry i, when answered, carries the reply text `names[i]`. */
export function resultOf(outcomes: Outcome[], names: string[], forwarded: Partial<ForwardedRecord>[] = []): DispatchResult {
  const bytes = names.map((n) => Buffer.from(n));
  const replies = new Uint8Array(bytes.reduce((n, b) => n + b.length, 0));
  const replyIndex = new Uint32Array(outcomes.length * 2);
  let at = 0;
  outcomes.forEach((outcome, i) => {
    if (outcome === Outcome.None) return;
    replies.set(bytes[i], at);
    replyIndex[i * 2] = at;
    replyIndex[i * 2 + 1] = bytes[i].length;
    at += bytes[i].length;
  });
  return {
    frames: new ArrayBuffer(0),
    index: new ArrayBuffer(0),
    outcomes: Uint8Array.from(outcomes),
    replies: replies.subarray(0, at),
    replyIndex,
    recordTypes: outcomes.map(() => 'V'),
    forwarded: forwarded.map((f) => ({
      entry: 0,
      sink: 'kafka',
      reliable: false,
      recordType: 'V',
      vin: 'VIN1',
      txid: `t${f.entry ?? 0}`,
      alteredMetadata: undefined,
      metadata: recordMetadata('VIN1', 1, `t${f.entry ?? 0}`, 'V', ''),
      offset: 0,
      length: 0,
      ...f,
    })),
    forwardedPayloads: new Uint8Array(0),
  };
}
