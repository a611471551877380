/** Bounds-checked cursor over protobuf wire bytes (varints per protobuf-go: ≤ 10 bytes, 10th ≤ 1). */
import { Buffer } from 'node:buffer';

const TWO_32 = 4294967296;

/** Thrown inside the decoder only; decode() turns it into an error value. */
export class DecodeError extends Error {}

/** Cursor over the input; `hi` holds the upper 32 bits of the last varint read. */
export class Reader {
  readonly buf: Uint8Array;
  pos = 0;
  hi = 0;
  private dataView: DataView | undefined = undefined;
  private nodeBuf: Buffer | undefined = undefined;
  constructor(buf: Uint8Array) {
    this.buf = buf;
  }

  /** DataView over the input, made on first use (only fixed-width fields need it). */
  get view(): DataView {
    return (this.dataView ??= new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength));
  }

  /** Buffer over the input (no copy), made on first use, for native UTF-8 decoding. */
  get text(): Buffer {
    return (this.nodeBuf ??= Buffer.from(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength));
  }

  /** Reads a varint (≤ 10 bytes, 10th byte ≤ 1); returns its low 32 bits unsigned, sets `hi`. */
  varint(end: number): number {
    const buf = this.buf;
    let pos = this.pos;
    if (pos >= end) throw new DecodeError('unexpected EOF');
    let b = buf[pos++];
    if (b < 0x80) {
      this.pos = pos;
      this.hi = 0;
      return b;
    }
    let lo = b & 0x7f;
    for (let shift = 7; shift < 28; shift += 7) {
      if (pos >= end) throw new DecodeError('unexpected EOF');
      b = buf[pos++];
      lo |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        this.hi = 0;
        return lo >>> 0;
      }
    }
    if (pos >= end) throw new DecodeError('unexpected EOF');
    b = buf[pos++];
    lo |= (b & 0x0f) << 28;
    let hi = (b & 0x7f) >> 4;
    if (b >= 0x80) {
      for (let shift = 3; ; shift += 7) {
        if (pos >= end) throw new DecodeError('unexpected EOF');
        b = buf[pos++];
        if (shift === 31) {
          if (b > 1) throw new DecodeError('variable length integer overflow');
          hi |= b << 31;
          break;
        }
        hi |= (b & 0x7f) << shift;
        if (b < 0x80) break;
      }
    }
    this.pos = pos;
    this.hi = hi >>> 0;
    return lo >>> 0;
  }

  /** Length prefix; must fit in what is left before `end`. */
  length(end: number): number {
    const n = this.varint(end);
    if (this.hi !== 0 || n > end - this.pos) throw new DecodeError('unexpected EOF');
    return n;
  }

  skip(n: number, end: number): void {
    if (n > end - this.pos) throw new DecodeError('unexpected EOF');
    this.pos += n;
  }
}

export function toInt64(lo: number, hi: number): bigint {
  if (hi < 0x200000) return BigInt(hi * TWO_32 + lo);
  if (hi === 0xffffffff && lo >= 0x80000000) return BigInt(lo - TWO_32);
  return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
}

export function toUint64(lo: number, hi: number): bigint {
  if (hi < 0x200000) return BigInt(hi * TWO_32 + lo);
  return (BigInt(hi) << 32n) | BigInt(lo);
}
