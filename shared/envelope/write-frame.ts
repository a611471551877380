/**
 * Builds server-sent frames byte-exact with upstream (PROTOCOL.md §4.4, §4.5): the flatbuffers
 * 23.3.3 Builder called in upstream's order. Byte strings are written with `createString` (value +
 * NUL, like Go's CreateByteString), and empty ones as empty vectors, never omitted.
 *
 * ACK and ERROR frames sit on the hot path, so they come from templates: the builder never looks at
 * the bytes of a vector, only at lengths (alignment, padding and vtable de-duplication all depend on
 * sizes alone), so a frame built once with zeroed txid/topic of the same lengths differs from the
 * real one only inside those two vectors. write-frame.test.ts checks this against the builder.
 *
 * Every frame returned is a fresh Uint8Array with byteOffset 0 that owns its whole ArrayBuffer.
 */
import { Builder } from 'flatbuffers';
import { MESSAGE_TYPE_ACK, MESSAGE_TYPE_STREAM } from './read-frame';

/** A `[ubyte]` field: raw bytes, or a string written as UTF-8. */
export type ByteString = string | Uint8Array;

export interface StreamFrameFields {
  senderId: ByteString;
  topic: ByteString;
  txid: ByteString;
  payload: ByteString;
  /** uint32 epoch seconds (taken modulo 2^32, like Go's conversion). */
  createdAt: number;
  messageId: ByteString;
  deviceType: ByteString;
  deviceId: ByteString;
  /** uint64 epoch milliseconds; a number must be an integer. */
  deliveredAt: bigint | number;
}

/** The ERROR payload is always this text; the real error is only logged (§4.5). */
export const ERROR_PAYLOAD = 'incorrect message format';

const EMPTY = new Uint8Array(0);
const encoder = new TextEncoder();
const ERROR_PAYLOAD_BYTES = encoder.encode(ERROR_PAYLOAD);

/** `STREAM(...)` of §4.4: a FlatbuffersStream wrapped in an envelope with message_type 4. */
export function writeStream(fields: StreamFrameFields): Uint8Array {
  const senderId = bytesOf(fields.senderId);
  const payload = bytesOf(fields.payload);
  const deviceType = bytesOf(fields.deviceType);
  const deviceId = bytesOf(fields.deviceId);
  const txid = bytesOf(fields.txid);
  const topic = bytesOf(fields.topic);
  const messageId = bytesOf(fields.messageId);
  // Room for everything up front so the buffer never regrows; capacity does not affect the bytes.
  const b = new Builder(
    senderId.length + payload.length + deviceType.length + deviceId.length + txid.length + topic.length + messageId.length + 160,
  );

  const s = b.createString(senderId);
  const p = b.createString(payload);
  const dt = b.createString(deviceType);
  const di = b.createString(deviceId);
  b.startObject(6);
  b.addFieldOffset(1, s, 0);
  b.addFieldInt32(0, fields.createdAt >>> 0, 0);
  b.addFieldOffset(2, p, 0);
  b.addFieldOffset(3, dt, 0);
  b.addFieldOffset(4, di, 0);
  b.addFieldInt64(5, BigInt.asUintN(64, BigInt(fields.deliveredAt)), 0n);
  const message = b.endObject();
  return finishEnvelope(b, txid, topic, message, messageId, MESSAGE_TYPE_STREAM);
}

/** `ACK(txid, topic)` of §4.4/§4.5 (message = an empty byte vector, S2). */
export function writeAck(txid: ByteString, topic: ByteString): Uint8Array {
  const t = prepare(txid);
  const tp = prepare(topic);
  if (t.length >= TEMPLATE_KEY_SPAN || tp.length >= TEMPLATE_KEY_SPAN) return buildAck(bytesOf(t), bytesOf(tp));
  const key = t.length * TEMPLATE_KEY_SPAN + tp.length;
  let template = ackTemplates.get(key);
  if (template === undefined) {
    template = makeTemplate(buildAck(new Uint8Array(t.length), new Uint8Array(tp.length)));
    remember(ackTemplates, key, template);
  }
  return fillTemplate(template, t, tp);
}

/** `ERROR` of §4.5: a stream frame whose payload is `incorrect message format`. */
export function writeError(txid: ByteString): Uint8Array {
  const t = prepare(txid);
  if (t.length >= TEMPLATE_KEY_SPAN) return buildError(bytesOf(t));
  let template = errorTemplates.get(t.length);
  if (template === undefined) {
    template = makeTemplate(buildError(new Uint8Array(t.length)));
    remember(errorTemplates, t.length, template);
  }
  return fillTemplate(template, t, '');
}

/** The builder-only ACK, used for templates and for lengths outside the template cache. */
export function buildAck(txid: Uint8Array, topic: Uint8Array): Uint8Array {
  const b = new Builder(txid.length + topic.length + 96);
  const message = b.createString(EMPTY); // created first, before the envelope's vectors (§4.4)
  return finishEnvelope(b, txid, topic, message, EMPTY, MESSAGE_TYPE_ACK);
}

/** The builder-only ERROR. */
export function buildError(txid: Uint8Array): Uint8Array {
  return writeStream({
    senderId: EMPTY,
    topic: EMPTY,
    txid,
    payload: ERROR_PAYLOAD_BYTES,
    createdAt: 0,
    messageId: EMPTY,
    deviceType: EMPTY,
    deviceId: EMPTY,
    deliveredAt: 0n,
  });
}

/** `ENVELOPE(b, txid, topic, message, messageId, type)` of §4.4. */
function finishEnvelope(b: Builder, txid: Uint8Array, topic: Uint8Array, message: number, messageId: Uint8Array, type: number): Uint8Array {
  const t = b.createString(txid);
  const tp = b.createString(topic);
  const m = b.createString(messageId);
  b.startObject(5);
  b.addFieldOffset(0, t, 0);
  b.addFieldOffset(1, tp, 0);
  b.addFieldInt8(2, type, 0);
  b.addFieldOffset(3, message, 0);
  b.addFieldOffset(4, m, 0);
  b.finish(b.endObject());
  // A copy that owns its whole ArrayBuffer (the builder's view starts mid-buffer), so callers may
  // transfer `frame.buffer` to a worker without leaking or misplacing bytes.
  return b.asUint8Array().slice();
}

function bytesOf(value: ByteString): Uint8Array {
  return typeof value === 'string' ? (value.length === 0 ? EMPTY : encoder.encode(value)) : value;
}

/**
 * Bytes, or a pure-ASCII string (its length is its UTF-8 length and it can be copied char by
 * char): spares the hot path a TextEncoder call, which costs more than the whole frame copy.
 */
type Prepared = Uint8Array | string;

function prepare(value: ByteString): Prepared {
  if (typeof value !== 'string') return value;
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) >= 0x80) return encoder.encode(value);
  return value;
}

function copyInto(out: Uint8Array, at: number, value: Prepared): void {
  if (typeof value !== 'string') out.set(value, at);
  else for (let i = 0; i < value.length; i++) out[at + i] = value.charCodeAt(i);
}

interface FrameTemplate {
  bytes: Uint8Array;
  txidAt: number;
  topicAt: number;
}

/** Lengths below this are templated (covers UUID txids and every record type name). */
const TEMPLATE_KEY_SPAN = 256;
/** Bounds memory if a client cycles through many lengths; a cleared cache simply refills. */
const MAX_TEMPLATES = 1024;
const ackTemplates = new Map<number, FrameTemplate>();
const errorTemplates = new Map<number, FrameTemplate>();

function remember(cache: Map<number, FrameTemplate>, key: number, template: FrameTemplate): void {
  if (cache.size >= MAX_TEMPLATES) cache.clear();
  cache.set(key, template);
}

/**
 * Locates the envelope's txid and topic data in a freshly built frame, whose layout we know: root
 * uoffset at 0, and each field's uoffset is relative to where it is stored.
 */
function makeTemplate(bytes: Uint8Array): FrameTemplate {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const table = view.getUint32(0, true);
  const vtable = table - view.getInt32(table, true);
  const dataAt = (vtableOffset: number): number => {
    const field = table + view.getUint16(vtable + vtableOffset, true);
    return field + view.getUint32(field, true) + 4;
  };
  return { bytes: bytes.slice(), txidAt: dataAt(4), topicAt: dataAt(6) };
}

function fillTemplate(template: FrameTemplate, txid: Prepared, topic: Prepared): Uint8Array {
  const out = template.bytes.slice();
  copyInto(out, template.txidAt, txid);
  copyInto(out, template.topicAt, topic);
  return out;
}
