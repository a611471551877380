/**
 * Reads an inbound envelope frame (PROTOCOL.md §4.3) without a verifier, like upstream, but with a
 * bounds check on every read so a hostile frame becomes a *Malformed* value instead of a throw.
 *
 * Offsets follow Go's FlatBuffers runtime exactly: uoffset arithmetic wraps modulo 2^32 and a
 * frame whose offsets happen to land inside the buffer is accepted with whatever is there. The
 * order of reads is upstream's, which decides *Unknown type* versus *Malformed* (§5.2).
 */

/** Union values (§4.2). */
export const MESSAGE_TYPE_NONE = 0;
export const MESSAGE_TYPE_STREAM = 4;
export const MESSAGE_TYPE_ACK = 5;

export interface StreamFrame {
  kind: 'stream';
  txid: string;
  topic: string;
  messageId: string;
  senderId: string;
  deviceType: string;
  deviceId: string;
  deliveredAtEpochMs: bigint;
  createdAt: number;
  /** View into the frame (no copy): valid only while the frame's buffer is. */
  payload: Uint8Array;
  /** The txid/topic as sent (views); the strings above are lossy UTF-8 decodes of these. */
  txidBytes: Uint8Array;
  topicBytes: Uint8Array;
}

export interface UnknownTypeFrame {
  kind: 'unknown-type';
  /** Empty when §4.3 stopped at step 1 or 3 (empty frame, absent `message`). */
  txid: string;
  topic: string;
  /** The union type byte; 0 when it was not reached. */
  msgType: number;
  txidBytes: Uint8Array;
  topicBytes: Uint8Array;
}

export interface MalformedFrame {
  kind: 'malformed';
  /**
   * Always empty: upstream's record only takes the txid after a complete read, so a frame that
   * fails part-way gets an ERROR with an empty txid (§5.2 "txid known so far").
   */
  txid: string;
  error: string;
}

export type FrameReadResult = StreamFrame | UnknownTypeFrame | MalformedFrame;

const EMPTY = new Uint8Array(0);

/** Vtable byte offsets of the fields we read (§4.2). */
const ENV_TXID = 4;
const ENV_TOPIC = 6;
const ENV_MESSAGE_TYPE = 8;
const ENV_MESSAGE = 10;
const ENV_MESSAGE_ID = 12;
const STREAM_CREATED_AT = 4;
const STREAM_SENDER_ID = 6;
const STREAM_PAYLOAD = 8;
const STREAM_DEVICE_TYPE = 10;
const STREAM_DEVICE_ID = 12;
const STREAM_DELIVERED_AT = 14;

/**
 * Thrown by the bounded reads below and caught in readFrame; never escapes this module. Not an
 * Error subclass on purpose: capturing a stack trace would make each hostile frame ~10x dearer.
 */
class OutOfBounds {
  constructor(readonly detail: string) {}
}

export function readFrame(frame: Uint8Array): FrameReadResult {
  // §4.3 step 1.
  if (frame.length === 0) return unknownType(EMPTY, EMPTY, MESSAGE_TYPE_NONE);
  try {
    return readEnvelope(frame);
  } catch (err) {
    const detail = err instanceof OutOfBounds ? err.detail : String(err);
    return { kind: 'malformed', txid: '', error: `panic while deserializing binary hermes stream: ${detail}` };
  }
}

function readEnvelope(b: Uint8Array): FrameReadResult {
  // §4.3 step 2: the root uoffset.
  const env = u32(b, 0);
  // Step 3: the union value offset is resolved before its type is looked at (upstream order).
  const messageSlot = slot(b, env, ENV_MESSAGE);
  if (messageSlot === 0) return unknownType(EMPTY, EMPTY, MESSAGE_TYPE_NONE);
  const messageAt = add(messageSlot, env);
  const message = add(messageAt, u32(b, messageAt));
  const typeSlot = slot(b, env, ENV_MESSAGE_TYPE);
  const msgType = typeSlot === 0 ? MESSAGE_TYPE_NONE : u8(b, add(typeSlot, env));

  // Step 4: not a stream ⇒ the txid and topic are read (both must be readable).
  if (msgType !== MESSAGE_TYPE_STREAM) {
    const txidBytes = vector(b, env, ENV_TXID);
    const topicBytes = vector(b, env, ENV_TOPIC);
    return unknownType(txidBytes, topicBytes, msgType);
  }

  // Step 5.
  const topicBytes = vector(b, env, ENV_TOPIC);
  const txidBytes = vector(b, env, ENV_TXID);
  const senderId = vector(b, message, STREAM_SENDER_ID);
  const deviceType = vector(b, message, STREAM_DEVICE_TYPE);
  const deviceId = vector(b, message, STREAM_DEVICE_ID);
  const deliveredSlot = slot(b, message, STREAM_DELIVERED_AT);
  const deliveredAtEpochMs = deliveredSlot === 0 ? 0n : u64(b, add(deliveredSlot, message));
  const createdSlot = slot(b, message, STREAM_CREATED_AT);
  const createdAt = createdSlot === 0 ? 0 : u32(b, add(createdSlot, message));
  const payload = vector(b, message, STREAM_PAYLOAD);
  const messageId = vector(b, env, ENV_MESSAGE_ID);
  return {
    kind: 'stream',
    txid: decodeUtf8(txidBytes),
    topic: decodeUtf8(topicBytes),
    messageId: decodeUtf8(messageId),
    senderId: decodeUtf8(senderId),
    deviceType: decodeUtf8(deviceType),
    deviceId: decodeUtf8(deviceId),
    deliveredAtEpochMs,
    createdAt,
    payload,
    txidBytes,
    topicBytes,
  };
}

function unknownType(txidBytes: Uint8Array, topicBytes: Uint8Array, msgType: number): UnknownTypeFrame {
  return { kind: 'unknown-type', txid: decodeUtf8(txidBytes), topic: decodeUtf8(topicBytes), msgType, txidBytes, topicBytes };
}

/** uoffset addition, wrapping like Go's uint32. */
function add(a: number, b: number): number {
  return (a + b) >>> 0;
}

/** The field's offset within its table, or 0 when the vtable does not cover it (absent field). */
function slot(b: Uint8Array, table: number, vtableOffset: number): number {
  const vtable = (table - i32(b, table)) >>> 0;
  return vtableOffset < u16(b, vtable) ? u16(b, add(vtable, vtableOffset)) : 0;
}

/** A `[ubyte]` field as a view into the frame; absent ⇒ empty. */
function vector(b: Uint8Array, table: number, vtableOffset: number): Uint8Array {
  const o = slot(b, table, vtableOffset);
  if (o === 0) return EMPTY;
  const at = add(o, table);
  const lengthAt = add(at, u32(b, at));
  const length = u32(b, lengthAt);
  const start = lengthAt + 4; // lengthAt + 4 <= b.length after the read above: no wrap
  const end = add(start, length);
  if (end < start || end > b.length) {
    throw new OutOfBounds(`runtime error: slice bounds out of range [${start}:${end}] with capacity ${b.length}`);
  }
  return b.subarray(start, end);
}

function check(b: Uint8Array, at: number, size: number): void {
  if (at > b.length) throw new OutOfBounds(`runtime error: slice bounds out of range [${at}:${b.length}]`);
  if (at + size > b.length) throw new OutOfBounds(`runtime error: index out of range [${size - 1}] with length ${b.length - at}`);
}

function u8(b: Uint8Array, at: number): number {
  check(b, at, 1);
  return b[at];
}

function u16(b: Uint8Array, at: number): number {
  check(b, at, 2);
  return b[at] | (b[at + 1] << 8);
}

function i32(b: Uint8Array, at: number): number {
  check(b, at, 4);
  return b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24);
}

function u32(b: Uint8Array, at: number): number {
  return i32(b, at) >>> 0;
}

function u64(b: Uint8Array, at: number): bigint {
  check(b, at, 8);
  const lo = u32(b, at);
  const hi = u32(b, at + 4);
  return hi === 0 ? BigInt(lo) : (BigInt(hi) << 32n) | BigInt(lo);
}

// ignoreBOM: a leading EF BB BF is data here (Go keeps it), not a byte-order mark to strip.
const utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** Lossy UTF-8 (invalid sequences ⇒ U+FFFD), as Go does when such bytes reach JSON or logs. */
export function decodeUtf8(bytes: Uint8Array): string {
  // TextDecoder beat hand-written ASCII loops even for 1..40-byte strings (Node 20).
  return bytes.length === 0 ? '' : utf8.decode(bytes);
}
