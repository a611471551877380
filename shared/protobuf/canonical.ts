/**
 * Wire-level check that bytes are exactly what encode() writes back for what decode() reads of them
 * (PROTOCOL.md §6.2, §6.4). For such bytes decode → encode is the identity, so a pass that rewrites
 * only what a transform changes may copy every other byte (dispatch-workers/pipeline/passthrough-payload.ts).
 *
 * Canonical: known fields with their own wire type in ascending number order, a singular field
 * once, at most one member per oneof, repeated scalars packed in one non-empty run, no implicit zero
 * (0, false, "", +0.0) outside oneofs and repeated fields, minimal varints (an int32/enum either
 * 0…2^31−1 or a 10-byte negative), valid UTF-8 in strings; unknown fields (e.g. a newer firmware's)
 * only after all known ones, since encode() appends them. Anything else answers `false`, "not
 * provably identical": groups, maps (written in JS key order), NaN (whose bits a JS number may not
 * keep) and known fields with another wire type included, and so does everything decode() rejects.
 * The caller then takes the full decode/encode path, which also gives the exact error text.
 */
import { Buffer } from 'node:buffer';
import type { FieldInfo, MessageType } from './schema';
import { Kind, WIRE_BYTES, WIRE_FIXED32, WIRE_FIXED64, WIRE_VARINT } from './kinds';
import { decodeUtf8 } from './utf8';

/** Cursor over wire bytes; `lo`/`hi` hold the last varint read. Reads never throw: they answer false. */
export class WireCursor {
  pos = 0;
  lo = 0;
  hi = 0;
  private nodeBuf: Buffer | undefined = undefined;
  constructor(public buf: Uint8Array) {}

  /** Starts over on other bytes (one cursor serves every record). */
  reset(buf: Uint8Array): void {
    this.buf = buf;
    this.pos = 0;
    this.nodeBuf = undefined;
  }

  /** Buffer over the input (no copy), for decodeUtf8. */
  get text(): Buffer {
    return (this.nodeBuf ??= Buffer.from(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength));
  }

  /**
   * A varint that decode() reads (≤ 10 bytes, 10th ≤ 1) and that encode() would write with the same
   * bytes (minimal: no trailing zero byte). Sets `lo`/`hi` (unsigned halves).
   */
  varint(end: number): boolean {
    const buf = this.buf;
    let pos = this.pos;
    if (pos >= end) return false;
    let b = buf[pos++];
    if (b < 0x80) {
      this.pos = pos;
      this.lo = b;
      this.hi = 0;
      return true;
    }
    let lo = b & 0x7f;
    for (let shift = 7; shift < 28; shift += 7) {
      if (pos >= end) return false;
      b = buf[pos++];
      lo |= (b & 0x7f) << shift;
      if (b < 0x80) {
        if (b === 0) return false;
        this.pos = pos;
        this.lo = lo >>> 0;
        this.hi = 0;
        return true;
      }
    }
    if (pos >= end) return false;
    b = buf[pos++];
    lo |= (b & 0x0f) << 28;
    let hi = (b & 0x7f) >> 4;
    if (b < 0x80) {
      if (b === 0) return false;
    } else {
      for (let shift = 3; ; shift += 7) {
        if (pos >= end) return false;
        b = buf[pos++];
        if (shift === 31) {
          if (b !== 1) return false; // > 1 overflows (decode error), 0 is not minimal
          hi |= b << 31;
          break;
        }
        hi |= (b & 0x7f) << shift;
        if (b < 0x80) {
          if (b === 0) return false;
          break;
        }
      }
    }
    this.pos = pos;
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
    return true;
  }

  /** A length prefix that fits before `end`; the length is left in `lo`. */
  length(end: number): boolean {
    return this.varint(end) && this.hi === 0 && this.lo <= end - this.pos;
  }

  /** A tag with a valid field number (1 … 2^29 − 1); number and wire type are in `lo`. */
  tag(end: number): boolean {
    return this.varint(end) && this.hi === 0 && this.lo >>> 3 !== 0;
  }

  /** Whether bytes [start, end) are valid UTF-8, as decode() checks strings. */
  utf8(start: number, end: number): boolean {
    const buf = this.buf;
    for (let i = start; i < end; i++) if (buf[i] >= 0x80) return decodeUtf8(buf, this.text, start, end) !== undefined;
    return true;
  }
}

/** Reads one non-message value of `kind` (element wire type); `implicit`: a zero would not be written. */
export function canonicalScalar(c: WireCursor, kind: Kind, end: number, implicit: boolean): boolean {
  switch (kind) {
    case Kind.Int32:
    case Kind.Enum:
      // Decoded as the low 32 bits (signed), written back as a 10-byte varint when negative.
      if (!c.varint(end)) return false;
      if (c.hi === 0 ? c.lo >= 0x80000000 : c.hi !== 0xffffffff || c.lo < 0x80000000) return false;
      return !implicit || c.lo !== 0;
    case Kind.Uint32:
    case Kind.Sint32:
      if (!c.varint(end) || c.hi !== 0) return false; // the upper half is dropped on decode
      return !implicit || c.lo !== 0;
    case Kind.Int64:
    case Kind.Uint64:
    case Kind.Sint64:
      if (!c.varint(end)) return false;
      return !implicit || c.lo !== 0 || c.hi !== 0;
    case Kind.Bool:
      // Any non-zero varint decodes as true, which is written as 01.
      if (!c.varint(end) || c.hi !== 0 || c.lo > 1) return false;
      return !implicit || c.lo === 1;
    case Kind.String:
    case Kind.Bytes: {
      if (!c.length(end)) return false;
      const start = c.pos;
      const stop = start + c.lo;
      if (implicit && stop === start) return false;
      if (kind === Kind.String && !c.utf8(start, stop)) return false;
      c.pos = stop;
      return true;
    }
  }
  const size = kind === Kind.Float || kind === Kind.Fixed32 || kind === Kind.Sfixed32 ? 4 : 8;
  const at = c.pos;
  if (size > end - at) return false;
  c.pos = at + size;
  const buf = c.buf;
  // Little-endian: the top word holds sign and exponent; NaN is an all-ones exponent with a non-zero mantissa.
  const top = buf[at + size - 4] | (buf[at + size - 3] << 8) | (buf[at + size - 2] << 16) | (buf[at + size - 1] << 24);
  if (kind === Kind.Float && (top & 0x7f800000) === 0x7f800000 && (top & 0x7fffff) !== 0) return false;
  if (kind === Kind.Double && (top & 0x7ff00000) === 0x7ff00000) {
    const low = buf[at] | (buf[at + 1] << 8) | (buf[at + 2] << 16) | (buf[at + 3] << 24);
    if ((top & 0xfffff) !== 0 || low !== 0) return false;
  }
  if (!implicit) return true;
  for (let i = at; i < at + size; i++) if (buf[i] !== 0) return true;
  return false; // +0.0 and zero fixed values are omitted (−0.0 is not zero)
}

/** Reads the value of one occurrence of known field `f` (its tag, of wire type `wt`, already read). */
export function canonicalField(c: WireCursor, f: FieldInfo, wt: number, end: number): boolean {
  if (f.isMap) return false;
  if (f.packable) {
    if (wt !== WIRE_BYTES || !c.length(end) || c.lo === 0) return false;
    const stop = c.pos + c.lo;
    while (c.pos < stop) if (!canonicalScalar(c, f.kind, stop, false)) return false;
    return true;
  }
  if (wt !== f.wireType) return false;
  if (f.kind === Kind.Message) {
    if (!c.length(end)) return false;
    return canonicalMessage(c, f.message!, c.pos + c.lo);
  }
  return canonicalScalar(c, f.kind, end, !f.repeated && f.oneof === '');
}

/**
 * Whether the field at the cursor (tag in `c.lo`) may follow the previous one, numbered `prev`:
 * ascending numbers, only a non-packed repeated field may repeat its number.
 */
export function inOrder(f: FieldInfo, prev: number): boolean {
  return f.number > prev || (f.number === prev && f.repeated && !f.packable);
}

/**
 * Skips the value of an unknown field (tag already read, wire type `wt`), which encode() copies as it
 * came; groups are left to the full path.
 */
export function unknownField(c: WireCursor, wt: number, end: number): boolean {
  switch (wt) {
    case WIRE_VARINT:
      return c.varint(end);
    case WIRE_FIXED64:
    case WIRE_FIXED32: {
      const size = wt === WIRE_FIXED64 ? 8 : 4;
      if (size > end - c.pos) return false;
      c.pos += size;
      return true;
    }
    case WIRE_BYTES:
      if (!c.length(end)) return false;
      c.pos += c.lo;
      return true;
    default:
      return false;
  }
}

/** Whether bytes [c.pos, end) are only unknown fields of `type`. */
export function unknownFields(c: WireCursor, type: MessageType, end: number): boolean {
  while (c.pos < end) {
    if (!c.tag(end)) return false;
    const num = c.lo >>> 3;
    if (num < type.byNumber.length && type.byNumber[num] !== undefined) return false;
    if (!unknownField(c, c.lo & 7, end)) return false;
  }
  return true;
}

/** Whether bytes [c.pos, end) are a canonical message of `type`; the cursor ends at `end` when true. */
export function canonicalMessage(c: WireCursor, type: MessageType, end: number): boolean {
  const byNumber = type.byNumber;
  let prev = 0;
  let oneof = '';
  let moreOneofs: string[] | undefined;
  while (c.pos < end) {
    const at = c.pos;
    if (!c.tag(end)) return false;
    const num = c.lo >>> 3;
    const f = num < byNumber.length ? byNumber[num] : undefined;
    if (f === undefined) {
      c.pos = at;
      return unknownFields(c, type, end);
    }
    if (!inOrder(f, prev)) return false;
    prev = num;
    if (f.oneof !== '') {
      // A second member of the same oneof would replace the first (last wins).
      if (f.oneof === oneof || (moreOneofs !== undefined && moreOneofs.includes(f.oneof))) return false;
      if (oneof === '') oneof = f.oneof;
      else (moreOneofs ??= []).push(f.oneof);
    }
    if (!canonicalField(c, f, c.lo & 7, end)) return false;
  }
  return true;
}
