/**
 * Location transform (PROTOCOL.md §6.3): the first `Location` datum holding a string such as
 * `(37.412374 N, 122.145867 W)` becomes a `location_value`. The grammar is Go's
 * `fmt.Sscanf(s, "(%f %1s, %f %1s)", …)`: `"(" WS* FLOAT WS+ Q1 "," WS+ FLOAT WS+ Q2 ")" ANY*`, where
 * FLOAT is whatever Go's scanner takes as a float (go-float.ts: digit separators, hex floats,
 * `nan`/`inf`; an overflowing number fails the whole match, so the string stays a string).
 */
import type { Payload } from '../../../shared/protobuf';
import { convertFloatGo, floatTokenEnd } from './go-float';

/** `Field.Location`. */
const LOCATION_KEY = 21;

/** Go's scanner spaces minus newline (§6.3); a newline where a space may be fails the match. */
const WS = /^[ \t\v\f\r\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/u;

/**
 * The form vehicles send, `(37.412374 N, 122.145867 W)`, matched without the scanner. Such a
 * string scans to the same four parts (single spaces are WS, N/S/E/W are runes, and the float
 * tokens end at the space), so it only saves time; a number too long for a double (Infinity)
 * goes the general way, which refuses it as Go does.
 */
const COMMON_RE = /^\(([+-]?\d+\.\d+) ([NSEW]), ([+-]?\d+\.\d+) ([NSEW])\)/;

export type LocationParse = { ok: true; latitude: number; longitude: number; south: boolean; west: boolean } | { ok: false; error: string };

const NO_MATCH: LocationParse = { ok: false, error: 'input does not match format' };

/** A cursor over the code points of a string, for the scanner below. */
class Scan {
  i = 0;
  constructor(readonly s: string) {}
  get rune(): string | undefined {
    const c = this.s.codePointAt(this.i);
    return c === undefined ? undefined : String.fromCodePoint(c);
  }
  next(): void {
    this.i += this.rune!.length;
  }
  /** Zero or more spaces (`%f` and `%1s` skip them). */
  spaces(): void {
    while (this.rune !== undefined && WS.test(this.rune)) this.next();
  }
  /** A space in the format: at least one space in the input. */
  space(): boolean {
    if (this.rune === undefined || !WS.test(this.rune)) return false;
    this.spaces();
    return true;
  }
  literal(c: string): boolean {
    if (this.rune !== c) return false;
    this.next();
    return true;
  }
  /** `%f`: a float token and its value; undefined when Go's conversion fails. */
  float(): number | undefined {
    this.spaces();
    const end = floatTokenEnd(this.s, this.i);
    const token = this.s.slice(this.i, end);
    this.i = end;
    return convertFloatGo(token);
  }
  /** `%1s`: one rune that is not a space (nor a newline). */
  rune1(): string | undefined {
    this.spaces();
    const r = this.rune;
    if (r === undefined || r === '\n' || WS.test(r)) return undefined;
    this.next();
    return r;
  }
}

function scanGeneral(s: string): [number, string, number, string] | undefined {
  const sc = new Scan(s);
  if (!sc.literal('(')) return undefined;
  const lat = sc.float();
  if (lat === undefined || !sc.space()) return undefined;
  const ns = sc.rune1();
  if (ns === undefined || !sc.literal(',') || !sc.space()) return undefined;
  const lon = sc.float();
  if (lon === undefined || !sc.space()) return undefined;
  const ew = sc.rune1();
  if (ew === undefined || !sc.literal(')')) return undefined;
  return [lat, ns, lon, ew];
}

/**
 * Parses a location string; error texts follow upstream's (`input does not match format`, `invalid
 * location format: …`). `generalOnly` skips the fast pattern (the tests use it as the reference).
 */
export function parseLocation(s: string, generalOnly = false): LocationParse {
  let parts: [number, string, number, string] | undefined;
  const m = generalOnly ? null : COMMON_RE.exec(s);
  // Number() is a correctly rounded float64 parse of these digits (like Go's ParseFloat).
  if (m) parts = [Number(m[1]), m[2], Number(m[3]), m[4]];
  if (parts === undefined || !Number.isFinite(parts[0]) || !Number.isFinite(parts[2])) parts = scanGeneral(s);
  if (parts === undefined) return NO_MATCH;
  const [latitude, ns, longitude, ew] = parts;
  if ((ns !== 'N' && ns !== 'S') || (ew !== 'E' && ew !== 'W')) return { ok: false, error: `invalid location format: ${s}` };
  const south = ns === 'S';
  const west = ew === 'W';
  return { ok: true, latitude: south ? -latitude : latitude, longitude: west ? -longitude : longitude, south, west };
}

/** Go's math.NaN() (what ParseFloat gives for `nan`): a quiet NaN with payload 1; `-x` flips its sign bit. */
const GO_NAN_BITS = 0x7ff8000000000001n;
const SIGN_BIT = 1n << 63n;

/**
 * The wire bytes of `Value{location_value: {latitude, longitude}}` when a coordinate is `nan`: JS
 * cannot hold Go's NaN bits (payload 1, sign flipped for S/W), so they are written here as
 * protobuf-go writes them (§6.4: a +0.0 coordinate is omitted).
 */
function locationWithNaN(latitude: number, longitude: number, south: boolean, west: boolean): Uint8Array {
  const out = new Uint8Array(2 + 18);
  const view = new DataView(out.buffer);
  let at = 2;
  const field = (tag: number, v: number, negated: boolean) => {
    if (v === 0 && 1 / v > 0) return;
    out[at] = tag;
    if (Number.isNaN(v)) view.setBigUint64(at + 1, negated ? GO_NAN_BITS | SIGN_BIT : GO_NAN_BITS, true);
    else view.setFloat64(at + 1, v, true);
    at += 9;
  };
  field(0x09, latitude, south);
  field(0x11, longitude, west);
  out[0] = 0x3a; // field 7 (location_value), length-delimited
  out[1] = at - 2;
  return out.subarray(0, at);
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
        value.$bytes =
          Number.isNaN(loc.latitude) || Number.isNaN(loc.longitude)
            ? locationWithNaN(loc.latitude, loc.longitude, loc.south, loc.west)
            : undefined;
      }
    }
    return;
  }
}
