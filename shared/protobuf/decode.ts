/**
 * Schema-driven protobuf decoder with protobuf-go semantics (PROTOCOL.md §6.2): unknown fields kept
 * as raw bytes, wrong-wire-type known fields treated as unknown, strict UTF-8, int64 as bigint, open
 * enums, packed or unpacked repeated scalars, oneof last-wins, repeated occurrences of a singular
 * message merged. Errors are thrown internally as DecodeError and returned as values by decode().
 */
import type { FieldInfo, MessageType } from './schema';
import { Kind, WIRE_BYTES, WIRE_END_GROUP, WIRE_FIXED32, WIRE_FIXED64, WIRE_START_GROUP, WIRE_VARINT, wireTypeOf } from './schema';
import { DecodeError, Reader, toInt64, toUint64 } from './reader';
import { decodeUtf8 } from './utf8';

export type DecodeResult<T> = { ok: true; message: T } | { ok: false; error: string };

/** Largest valid field number (2^29 − 1). */
const MAX_FIELD_NUMBER = 0x1fffffff;
/** protobuf-go's default nesting limit, applied to unknown groups. */
const MAX_GROUP_DEPTH = 10000;

type Msg = Record<string, unknown>;
interface OneofValue {
  case: string;
  value: unknown;
}

/** A plain Uint8Array copy (Buffer#slice would share memory with input the caller may reuse). */
function copyOf(buf: Uint8Array, start: number, end: number): Uint8Array {
  return new Uint8Array(buf.subarray(start, end));
}

function readString(r: Reader, end: number, what: string): string {
  const n = r.length(end);
  const s = decodeUtf8(r.buf, r.text, r.pos, r.pos + n);
  if (s === undefined) throw new DecodeError(`field ${what} contains invalid UTF-8`);
  r.pos += n;
  return s;
}

/** One non-message value of `kind` with its element wire type (strings/bytes included). */
function readScalar(r: Reader, kind: Kind, end: number, what: string): unknown {
  switch (kind) {
    case Kind.Int32:
    case Kind.Enum:
      return r.varint(end) | 0;
    case Kind.Bool:
      return r.varint(end) !== 0 || r.hi !== 0;
    case Kind.Int64: {
      const lo = r.varint(end);
      return toInt64(lo, r.hi);
    }
    case Kind.Uint64: {
      const lo = r.varint(end);
      return toUint64(lo, r.hi);
    }
    case Kind.Uint32:
      return r.varint(end);
    case Kind.Sint32: {
      const v = r.varint(end);
      return (v >>> 1) ^ -(v & 1);
    }
    case Kind.Sint64: {
      const lo = r.varint(end);
      const u = toUint64(lo, r.hi);
      return (u >> 1n) ^ -(u & 1n);
    }
    case Kind.String:
      return readString(r, end, what);
    case Kind.Bytes: {
      const n = r.length(end);
      r.pos += n;
      return copyOf(r.buf, r.pos - n, r.pos);
    }
  }
  const size = kind === Kind.Float || kind === Kind.Fixed32 || kind === Kind.Sfixed32 ? 4 : 8;
  const at = r.pos;
  r.skip(size, end);
  switch (kind) {
    case Kind.Float:
      return r.view.getFloat32(at, true);
    case Kind.Double:
      return r.view.getFloat64(at, true);
    case Kind.Fixed32:
      return r.view.getUint32(at, true);
    case Kind.Sfixed32:
      return r.view.getInt32(at, true);
    case Kind.Fixed64:
      return r.view.getBigUint64(at, true);
    default:
      return r.view.getBigInt64(at, true);
  }
}

/** Reads a tag (number << 3 | wire type), rejecting field number 0 and numbers above 2^29 − 1. */
function readTag(r: Reader, end: number): number {
  const tag = r.varint(end);
  if (r.hi !== 0 || tag >>> 3 > MAX_FIELD_NUMBER) throw new DecodeError('invalid field number');
  if (tag >>> 3 === 0) throw new DecodeError('invalid field number 0');
  return tag;
}

/** Skips one field value of wire type `wt` (tag already read), groups included. */
function skipValue(r: Reader, num: number, wt: number, end: number): void {
  switch (wt) {
    case WIRE_VARINT:
      r.varint(end);
      return;
    case WIRE_FIXED64:
      r.skip(8, end);
      return;
    case WIRE_BYTES: {
      const n = r.length(end);
      r.pos += n;
      return;
    }
    case WIRE_FIXED32:
      r.skip(4, end);
      return;
    case WIRE_START_GROUP: {
      const open = [num];
      while (open.length > 0) {
        const tag = readTag(r, end);
        const n = tag >>> 3;
        const t = tag & 7;
        if (t === WIRE_END_GROUP) {
          if (n !== open[open.length - 1]) throw new DecodeError('mismatching end group marker');
          open.pop();
        } else if (t === WIRE_START_GROUP) {
          if (open.length >= MAX_GROUP_DEPTH) throw new DecodeError('exceeded maximum recursion depth');
          open.push(n);
        } else skipValue(r, n, t, end);
      }
      return;
    }
    case WIRE_END_GROUP:
      throw new DecodeError('unexpected end group marker');
    default:
      throw new DecodeError(`invalid wire type ${wt}`);
  }
}

/**
 * `Value` (the only keepsBytes type) keeps its wire bytes when it holds a NaN: a JS number cannot
 * carry a signalling NaN's bits, which protobuf-go writes back unchanged. Every other value is
 * re-encoded, which gives protobuf-go's bytes (field order, last oneof member only).
 */
function keepBytes(r: Reader, start: number, end: number, value: Msg): void {
  const v = value.value as OneofValue | undefined;
  if (v === undefined) return;
  let nan = false;
  if (v.case === 'float_value' || v.case === 'double_value') nan = Number.isNaN(v.value);
  else if (v.case === 'location_value') {
    const loc = v.value as Msg;
    nan = Number.isNaN(loc.latitude) || Number.isNaN(loc.longitude);
  }
  if (nan) value.$bytes = r.buf.subarray(start, end);
}

/** A fresh message object with the stable shape of `type`'s template. */
export function newMessage(type: MessageType): Msg {
  return type.instantiate() as Msg;
}

function readMapEntry(r: Reader, f: FieldInfo, end: number, map: Msg): void {
  let key = '';
  let value: unknown = f.mapValueKind === Kind.String ? '' : f.mapValueKind === Kind.Bool ? false : 0;
  const valueWire = wireTypeOf(f.mapValueKind);
  while (r.pos < end) {
    const tag = readTag(r, end);
    const num = tag >>> 3;
    const wt = tag & 7;
    if (num === 1 && wt === WIRE_BYTES) key = readString(r, end, `${f.name}.key`);
    else if (num === 2 && wt === valueWire) value = readScalar(r, f.mapValueKind, end, `${f.name}.value`);
    else skipValue(r, num, wt, end);
  }
  map[key] = value;
}

/** Decodes fields up to `end` into `msg` (merging, as protobuf does for repeated occurrences). */
function decodeInto(r: Reader, type: MessageType, end: number, msg: Msg): void {
  const byNumber = type.byNumber;
  while (r.pos < end) {
    const tagStart = r.pos;
    const tag = readTag(r, end);
    const num = tag >>> 3;
    const wt = tag & 7;
    const f = num < byNumber.length ? byNumber[num] : undefined;
    if (f !== undefined) {
      if (wt === f.wireType) {
        if (f.kind === Kind.Message) {
          const len = r.length(end);
          const subEnd = r.pos + len;
          const keeps = f.message !== undefined && f.message.keepsBytes;
          const start = r.pos;
          if (f.isMap) readMapEntry(r, f, subEnd, msg[f.name] as Msg);
          else if (f.repeated) {
            const sub = newMessage(f.message!);
            decodeInto(r, f.message!, subEnd, sub);
            if (keeps) keepBytes(r, start, subEnd, sub);
            (msg[f.name] as unknown[]).push(sub);
          } else if (f.oneof) {
            const cur = msg[f.oneof] as OneofValue | undefined;
            if (cur !== undefined && cur.case === f.name) {
              decodeInto(r, f.message!, subEnd, cur.value as Msg);
              if (keeps) (cur.value as Msg).$bytes = undefined; // merged from two occurrences
            } else {
              const sub = newMessage(f.message!);
              decodeInto(r, f.message!, subEnd, sub);
              if (keeps) keepBytes(r, start, subEnd, sub);
              msg[f.oneof] = { case: f.name, value: sub };
            }
          } else {
            const fresh = msg[f.name] === undefined;
            let sub = msg[f.name] as Msg | undefined;
            if (sub === undefined) msg[f.name] = sub = newMessage(f.message!);
            decodeInto(r, f.message!, subEnd, sub);
            if (keeps) {
              if (fresh) keepBytes(r, start, subEnd, sub);
              else sub.$bytes = undefined; // merged from two occurrences
            }
          }
          continue;
        }
        const v = readScalar(r, f.kind, end, f.name);
        if (f.repeated) (msg[f.name] as unknown[]).push(v);
        else if (f.oneof) msg[f.oneof] = { case: f.name, value: v };
        else msg[f.name] = v;
        continue;
      }
      if (wt === WIRE_BYTES && f.packable) {
        const len = r.length(end);
        const subEnd = r.pos + len;
        const arr = msg[f.name] as unknown[];
        while (r.pos < subEnd) arr.push(readScalar(r, f.kind, subEnd, f.name));
        continue;
      }
    }
    // Unknown field, or a known one with another wire type (§6.2): keep its raw bytes.
    skipValue(r, num, wt, end);
    const raw = copyOf(r.buf, tagStart, r.pos);
    const unknown = msg.$unknown as Uint8Array[] | undefined;
    if (unknown === undefined) msg.$unknown = [raw];
    else unknown.push(raw);
  }
}

/** Decodes `bytes` as `type`. Never throws: every failure is returned as `{ok: false, error}`. */
export function decode<T>(type: MessageType<T>, bytes: Uint8Array): DecodeResult<T> {
  try {
    const r = new Reader(bytes);
    const msg = newMessage(type);
    decodeInto(r, type, bytes.length, msg);
    return { ok: true, message: msg as T };
  } catch (e) {
    if (e instanceof DecodeError) return { ok: false, error: `proto: ${e.message}` };
    return { ok: false, error: `proto: ${e instanceof Error ? e.message : String(e)}` };
  }
}
