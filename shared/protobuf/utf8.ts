/**
 * UTF-8 for proto3 `string` fields: validated on decode and encode (PROTOCOL.md §6.2).
 * The strict TextDecoder is fatal (invalid bytes ⇒ error) and keeps a leading BOM as U+FEFF like Go.
 */
import type { Buffer } from 'node:buffer';

const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Up to this length an all-ASCII string is built in JS; longer ones go through Buffer (native). */
const ASCII_FAST_MAX = 12;

/**
 * Returns the decoded string, or undefined when the bytes are not valid UTF-8. `view` is a Buffer
 * over the same memory as `buf`. Buffer decoding replaces invalid sequences with U+FFFD, so output
 * without U+FFFD proves the input valid; only strings containing U+FFFD are re-checked strictly.
 */
export function decodeUtf8(buf: Uint8Array, view: Buffer, start: number, end: number): string | undefined {
  if (end - start <= ASCII_FAST_MAX) {
    let s = '';
    let i = start;
    for (; i < end; i++) {
      const b = buf[i];
      if (b >= 0x80) break;
      s += String.fromCharCode(b);
    }
    if (i === end) return s;
  }
  const s = view.toString('utf8', start, end);
  if (s.indexOf('\ufffd') === -1) return s;
  try {
    return strictDecoder.decode(buf.subarray(start, end));
  } catch {
    return undefined;
  }
}

/** UTF-8 byte length of `s`, or -1 when it holds a lone surrogate (not encodable as valid UTF-8). */
export function utf8Length(s: string): number {
  let n = 0;
  const len = s.length;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdfff) {
      const d = i + 1 < len ? s.charCodeAt(i + 1) : 0;
      if (c > 0xdbff || d < 0xdc00 || d > 0xdfff) return -1;
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Writes `s` (already checked by utf8Length) at `pos`; returns the new position. */
export function writeUtf8(buf: Uint8Array, pos: number, s: string): number {
  const len = s.length;
  for (let i = 0; i < len; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      buf[pos++] = c;
    } else if (c < 0x800) {
      buf[pos++] = 0xc0 | (c >> 6);
      buf[pos++] = 0x80 | (c & 0x3f);
    } else if (c >= 0xd800 && c <= 0xdbff) {
      c = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
      buf[pos++] = 0xf0 | (c >> 18);
      buf[pos++] = 0x80 | ((c >> 12) & 0x3f);
      buf[pos++] = 0x80 | ((c >> 6) & 0x3f);
      buf[pos++] = 0x80 | (c & 0x3f);
    } else {
      buf[pos++] = 0xe0 | (c >> 12);
      buf[pos++] = 0x80 | ((c >> 6) & 0x3f);
      buf[pos++] = 0x80 | (c & 0x3f);
    }
  }
  return pos;
}
