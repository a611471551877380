/**
 * Location transform (PROTOCOL.md §6.3): the first `Location` datum holding a string such as
 * `(37.412374 N, 122.145867 W)` becomes a `location_value`. The grammar mirrors Go's
 * `fmt.Sscanf(s, "(%f %1s, %f %1s)")`: `"(" WS* FLOAT WS+ Q1 "," WS+ FLOAT WS+ Q2 ")" ANY*`.
 */
import type { Payload } from '../../../shared/protobuf';

/** `Field.Location`. */
const LOCATION_KEY = 21;

/** Go's scanner spaces minus newline (§6.3); a newline inside the pattern therefore fails the match. */
const WS = '[ \\t\\v\\f\\r\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const FLOAT = '[+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?';
/** `%1s`: one rune that is neither a space nor a newline. */
const RUNE = `[^\\n${WS.slice(1, -1)}]`;
const LOCATION_RE = new RegExp(`^\\(${WS}*(${FLOAT})${WS}+(${RUNE}),${WS}+(${FLOAT})${WS}+(${RUNE})\\)`, 'u');

/**
 * The form vehicles send, `(37.412374 N, 122.145867 W)`, matched without the Unicode machinery. A
 * string it matches is matched by LOCATION_RE with the same four captures (single spaces are WS,
 * N/S/E/W are runes, and both float patterns take every digit), so it only saves time.
 */
const COMMON_RE = /^\(([+-]?\d+\.\d+) ([NSEW]), ([+-]?\d+\.\d+) ([NSEW])\)/;

export type LocationParse = { ok: true; latitude: number; longitude: number } | { ok: false; error: string };

/**
 * Parses a location string; error texts follow upstream's (`input does not match format`, `invalid
 * location format: …`). `generalOnly` skips the fast pattern (the tests use it as the reference).
 */
export function parseLocation(s: string, generalOnly = false): LocationParse {
  const m = (generalOnly ? null : COMMON_RE.exec(s)) ?? LOCATION_RE.exec(s);
  if (!m) return { ok: false, error: 'input does not match format' };
  const [, lat, ns, lon, ew] = m;
  if ((ns !== 'N' && ns !== 'S') || (ew !== 'E' && ew !== 'W')) return { ok: false, error: `invalid location format: ${s}` };
  // Number() is a correctly rounded float64 parse of this grammar (like Go's ParseFloat).
  const latitude = Number(lat);
  const longitude = Number(lon);
  return { ok: true, latitude: ns === 'S' ? -latitude : latitude, longitude: ew === 'W' ? -longitude : longitude };
}

/** Rewrites the first Location datum in place when it holds a parseable string; later ones are never touched. */
export function transformLocation(payload: Payload): void {
  for (const datum of payload.data) {
    if (datum.key !== LOCATION_KEY) continue;
    const v = datum.value?.value;
    if (v !== undefined && v.case === 'string_value' && v.value !== '') {
      const loc = parseLocation(v.value);
      if (loc.ok) {
        // A new Value, as upstream builds one: its other (unknown) fields and its old bytes are dropped.
        const value = datum.value!;
        value.value = { case: 'location_value', value: { latitude: loc.latitude, longitude: loc.longitude, $unknown: undefined } };
        value.$unknown = undefined;
        value.$bytes = undefined;
      }
    }
    return;
  }
}
