/**
 * Schema-driven protobuf encoder matching protobuf-go's output (PROTOCOL.md §6.4): ascending field
 * numbers, proto3 implicit presence (+0.0 omitted, −0.0 written), oneof members and set message
 * fields always written, packed repeated scalars, map entries with both key and value, unknown
 * fields appended in read order, negative int32/enum as 10-byte varints, strict UTF-8.
 */
import type { FieldInfo, MessageType, OneofInfo } from './schema';
import { Kind, WIRE_BYTES, wireTypeOf } from './schema';
import { utf8Length, writeUtf8 } from './utf8';
import { Writer } from './writer';
import type { MessageInit } from './types';

export type EncodeResult = { ok: true; bytes: Uint8Array } | { ok: false; error: string };

class EncodeError extends Error {}

type Msg = Record<string, unknown>;
interface OneofValue {
  case: string;
  value: unknown;
}

const TWO_32 = 4294967296;

const writer = new Writer();

function int64Halves(v: unknown, what: string): [number, number] {
  if (typeof v === 'bigint') {
    const u = BigInt.asUintN(64, v);
    return [Number(u & 0xffffffffn), Number(u >> 32n)];
  }
  if (typeof v === 'number' && Number.isInteger(v)) return [v >>> 0, Math.floor(v / TWO_32) >>> 0];
  throw new EncodeError(`field ${what}: expected bigint or integer, got ${typeof v}`);
}

function num(v: unknown, what: string): number {
  if (typeof v !== 'number') throw new EncodeError(`field ${what}: expected number, got ${typeof v}`);
  return v;
}

/** Writes one element value (no tag) of a non-message kind. */
function writeScalar(w: Writer, kind: Kind, v: unknown, what: string): void {
  switch (kind) {
    case Kind.Int32:
    case Kind.Enum: {
      const n = num(v, what) | 0;
      if (n < 0) w.varint64(n >>> 0, 0xffffffff);
      else w.uvarint(n);
      return;
    }
    case Kind.Uint32:
      w.uvarint(num(v, what) >>> 0);
      return;
    case Kind.Sint32: {
      const n = num(v, what) | 0;
      w.uvarint(((n << 1) ^ (n >> 31)) >>> 0);
      return;
    }
    case Kind.Bool:
      if (typeof v !== 'boolean') throw new EncodeError(`field ${what}: expected boolean, got ${typeof v}`);
      w.uvarint(v ? 1 : 0);
      return;
    case Kind.Int64:
    case Kind.Uint64: {
      const [lo, hi] = int64Halves(v, what);
      w.varint64(lo, hi);
      return;
    }
    case Kind.Sint64: {
      const b = typeof v === 'bigint' ? v : BigInt(num(v, what));
      const [lo, hi] = int64Halves((b << 1n) ^ (b >> 63n), what);
      w.varint64(lo, hi);
      return;
    }
    case Kind.String: {
      if (typeof v !== 'string') throw new EncodeError(`field ${what}: expected string, got ${typeof v}`);
      const n = utf8Length(v);
      if (n < 0) throw new EncodeError(`field ${what} contains invalid UTF-8`);
      w.uvarint(n);
      w.ensure(n);
      w.pos = writeUtf8(w.buf, w.pos, v);
      return;
    }
    case Kind.Bytes: {
      if (!(v instanceof Uint8Array)) throw new EncodeError(`field ${what}: expected Uint8Array`);
      w.uvarint(v.length);
      w.ensure(v.length);
      w.buf.set(v, w.pos);
      w.pos += v.length;
      return;
    }
  }
  const size = kind === Kind.Float || kind === Kind.Fixed32 || kind === Kind.Sfixed32 ? 4 : 8;
  w.ensure(size);
  const at = w.pos;
  w.pos += size;
  switch (kind) {
    case Kind.Float:
      w.view.setFloat32(at, num(v, what), true);
      return;
    case Kind.Double:
      w.view.setFloat64(at, num(v, what), true);
      return;
    case Kind.Fixed32:
    case Kind.Sfixed32:
      w.view.setUint32(at, num(v, what) >>> 0, true);
      return;
    default: {
      const [lo, hi] = int64Halves(v, what);
      w.view.setUint32(at, lo, true);
      w.view.setUint32(at + 4, hi, true);
    }
  }
}

/** proto3 implicit presence: is `v` the zero value (not written)? −0.0 is not zero (§6.4). */
function isZero(kind: Kind, v: unknown): boolean {
  if (v === undefined || v === null) return true;
  switch (kind) {
    case Kind.Float:
    case Kind.Double:
      return v === 0 && 1 / (v as number) > 0;
    case Kind.Bool:
      return v === false;
    case Kind.String:
      return v === '';
    case Kind.Bytes:
      return (v as Uint8Array).length === 0;
    case Kind.Message:
      return false;
    default:
      return v === 0 || v === 0n;
  }
}

/** Tag + value of one element (message elements are length-delimited). */
function writeElement(w: Writer, f: FieldInfo, v: unknown): void {
  w.tag(f.number, f.wireType);
  if (f.kind === Kind.Message) {
    if (typeof v !== 'object' || v === null) throw new EncodeError(`field ${f.name}: expected object`);
    if (f.message!.keepsBytes) {
      const bytes = (v as Msg).$bytes as Uint8Array | undefined;
      if (bytes !== undefined) {
        w.uvarint(bytes.length);
        w.ensure(bytes.length);
        w.buf.set(bytes, w.pos);
        w.pos += bytes.length;
        return;
      }
    }
    const at = w.beginLength();
    encodeInto(w, f.message!, v as Msg);
    w.endLength(at);
  } else writeScalar(w, f.kind, v, f.name);
}

function writeField(w: Writer, f: FieldInfo, v: unknown): void {
  if (f.repeated) {
    if (v === undefined || v === null) return;
    if (!Array.isArray(v)) throw new EncodeError(`field ${f.name}: expected array`);
    if (v.length === 0) return;
    if (f.packable) {
      w.tag(f.number, WIRE_BYTES);
      const at = w.beginLength();
      for (let i = 0; i < v.length; i++) writeScalar(w, f.kind, v[i], f.name);
      w.endLength(at);
    } else for (let i = 0; i < v.length; i++) writeElement(w, f, v[i]);
    return;
  }
  if (f.isMap) {
    if (v === undefined || v === null) return;
    const map = v as Msg;
    const valueWire = wireTypeOf(f.mapValueKind);
    for (const key of Object.keys(map)) {
      w.tag(f.number, WIRE_BYTES);
      const at = w.beginLength();
      w.tag(1, WIRE_BYTES);
      writeScalar(w, Kind.String, key, `${f.name}.key`);
      w.tag(2, valueWire);
      writeScalar(w, f.mapValueKind, map[key], `${f.name}.value`);
      w.endLength(at);
    }
    return;
  }
  if (!isZero(f.kind, v)) writeElement(w, f, v);
}

/** The oneof member selected by `o`, or undefined when the oneof is unset. */
function oneofMember(oneof: OneofInfo, o: unknown): FieldInfo | undefined {
  if (o === undefined || o === null) return undefined;
  const f = oneof.members[(o as OneofValue).case];
  if (f === undefined) throw new EncodeError(`oneof ${oneof.name}: unknown case ${String((o as OneofValue).case)}`);
  return f;
}

function encodeInto(w: Writer, type: MessageType, msg: Msg): void {
  const plain = type.plainByNumber;
  const oneofs = type.oneofs;
  if (oneofs.length === 0) {
    for (let i = 0; i < plain.length; i++) writeField(w, plain[i], msg[plain[i].name]);
  } else if (oneofs.length === 1) {
    // Hot path (Value): the set member is written at its own number among the plain fields (§6.4).
    const o = msg[oneofs[0].name];
    const mf = oneofMember(oneofs[0], o);
    let pending = mf !== undefined;
    for (let i = 0; i < plain.length; i++) {
      const f = plain[i];
      if (pending && mf!.number < f.number) {
        writeElement(w, mf!, (o as OneofValue).value);
        pending = false;
      }
      writeField(w, f, msg[f.name]);
    }
    if (pending) writeElement(w, mf!, (o as OneofValue).value);
  } else {
    // Set oneof members are merged into the number order of the plain fields (§6.4).
    const set: { f: FieldInfo; v: unknown }[] = [];
    for (let i = 0; i < oneofs.length; i++) {
      const o = msg[oneofs[i].name];
      const f = oneofMember(oneofs[i], o);
      if (f !== undefined) set.push({ f, v: (o as OneofValue).value });
    }
    if (set.length > 1) set.sort((a, b) => a.f.number - b.f.number);
    let j = 0;
    for (let i = 0; i < plain.length; i++) {
      const f = plain[i];
      for (; j < set.length && set[j].f.number < f.number; j++) writeElement(w, set[j].f, set[j].v);
      writeField(w, f, msg[f.name]);
    }
    for (; j < set.length; j++) writeElement(w, set[j].f, set[j].v);
  }
  const unknown = msg.$unknown as Uint8Array[] | undefined;
  if (unknown !== undefined && unknown !== null) {
    for (let i = 0; i < unknown.length; i++) {
      const raw = unknown[i];
      w.ensure(raw.length);
      w.buf.set(raw, w.pos);
      w.pos += raw.length;
    }
  }
}

/** Encodes `message` as `type`. Never throws: bad values (e.g. lone surrogates) give `{ok: false}`. */
export function tryEncode<T>(type: MessageType<T>, message: NoInfer<T> | MessageInit<NoInfer<T>>): EncodeResult {
  writer.pos = 0;
  try {
    encodeInto(writer, type, message as Msg);
    return { ok: true, bytes: writer.buf.slice(0, writer.pos) };
  } catch (e) {
    return { ok: false, error: `proto: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/**
 * Encodes a message built by the caller (simulator, connectivity synthesis, tests). Throws on values
 * that cannot be encoded (wrong JS type, lone surrogate); the record pipeline uses tryEncode().
 */
export function encode<T>(type: MessageType<T>, message: NoInfer<T> | MessageInit<NoInfer<T>>): Uint8Array {
  const r = tryEncode(type, message);
  if (!r.ok) throw new Error(r.error);
  return r.bytes;
}
