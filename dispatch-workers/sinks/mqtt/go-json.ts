/**
 * Go `encoding/json` text of the primitive values MQTT payloads carry (PROTOCOL.md §10.5): strings
 * with Go's escapes (HTML characters and U+2028/2029 as `\u…`), float32/float64 in Go's shortest
 * form, int64 as an exact number. NaN and infinities cannot be encoded: `GoJsonError`.
 */
import { float32Shortest, formatFloat64 } from '../../../shared/protobuf';

/** A value Go's encoder refuses (`json: unsupported value: NaN`). */
export class GoJsonError extends Error {}

const SHORT_ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
// Controls, quote, backslash, the HTML characters and the JS line separators.
const NEEDS_ESCAPE = /[\u0000-\u001f"\\<>&\u2028\u2029]/g;

function escapeChar(c: string): string {
  return SHORT_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

export function goString(s: string): string {
  return `"${s.replace(NEEDS_ESCAPE, escapeChar)}"`;
}

export function goFloat64(v: number): string {
  if (!Number.isFinite(v)) throw new GoJsonError(`json: unsupported value: ${goNonFinite(v)}`);
  return formatFloat64(v);
}

export function goFloat32(v: number): string {
  return goFloat64(float32Shortest(v));
}

function goNonFinite(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  return v > 0 ? '+Inf' : '-Inf';
}

/** An object with its keys sorted, as Go encodes a map; values are JSON texts already. */
export function goObject(members: ReadonlyArray<readonly [string, string]>): string {
  const sorted = [...members].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${sorted.map(([k, v]) => `${goString(k)}:${v}`).join(',')}}`;
}
