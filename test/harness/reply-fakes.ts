/** Fakes for the reply ledger's unit tests: a session writer and a batch result. */
import { Outcome } from '../../shared/batch';
import { FORWARD_STRIDE, ForwardFlag, INDEX_STRIDE } from '../../shared/batch';
import type { DispatchResult } from '../../shared/batch';
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

/** A record forwarded to a main-thread sink, as a test describes it (defaults: entry 0, kafka, not reliable). */
export interface FakeForward {
  entry?: number;
  sink?: string;
  reliable?: boolean;
  offset?: number;
  length?: number;
}

/**
 * A batch result whose entry i, when answered, carries the reply text `names[i]`. Every entry
 * belongs to the FakeWriter's session, received at 1 ms; forwarded record n has txid `t<entry>`.
 */
export function resultOf(outcomes: Outcome[], names: string[], forwarded: FakeForward[] = []): DispatchResult {
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
  const index = new Float64Array(outcomes.length * INDEX_STRIDE);
  for (let i = 0; i < outcomes.length; i++) index[i * INDEX_STRIDE + 4] = 1; // session slot 0, receivedAt 1
  const forwardNames: string[] = ['V'];
  const forwards = new Uint32Array(forwarded.length * FORWARD_STRIDE);
  forwarded.forEach((f, n) => {
    const sink = f.sink ?? 'kafka';
    if (!forwardNames.includes(sink)) forwardNames.push(sink);
    forwards.set(
      [f.entry ?? 0, forwardNames.indexOf(sink), 0, f.reliable === true ? ForwardFlag.Reliable : 0, f.offset ?? 0, f.length ?? 0],
      n * FORWARD_STRIDE,
    );
  });
  return {
    frames: new ArrayBuffer(0),
    index: index.buffer,
    outcomes: Uint8Array.from(outcomes),
    replies: replies.subarray(0, at),
    replyIndex,
    forwards,
    forwardNames,
    forwardTxids: forwarded.map((f) => `t${f.entry ?? 0}`),
    forwardedPayloads: new Uint8Array(0),
    sessions: [new FakeWriter().identity],
  };
}
