/**
 * Go's `fmt` scanning of a `%f` into a float64 (PROTOCOL.md §6.3, the location grammar): the token
 * the scanner takes, then the number `strconv.ParseFloat` (and, for a decimal mantissa with a `p`
 * exponent, `math.Ldexp`) makes of it. Go accepts more than the usual decimal form: digit
 * separators (`1_000.5`), hexadecimal floats (`0x1.8p3`), a binary exponent on a decimal mantissa
 * (`1.5p3` = 12), and the words `nan` / `inf` (any case, `inf` signed). A decimal or hex value that
 * overflows is an error (the location string stays a string); underflow gives zero; `1p5000`
 * (Ldexp) gives Infinity without an error.
 */

const DEC = '0123456789';
const HEX = '0123456789abcdefABCDEF';

function isIn(set: string, c: string | undefined): boolean {
  return c !== undefined && c.length === 1 && set.includes(c);
}

/**
 * The end of the float token starting at `i` (fmt's floatToken): the longest run the scanner
 * accepts, character class by character class, without backtracking.
 */
export function floatTokenEnd(s: string, i: number): number {
  const accept = (set: string): boolean => {
    if (isIn(set, s[i])) {
      i++;
      return true;
    }
    return false;
  };
  // Each accepted character stays consumed, also when the word is not completed ("na1" scans on from "1").
  if (accept('nN') && accept('aA') && accept('nN')) return i;
  accept('+-');
  if (accept('iI') && accept('nN') && accept('fF')) return i;
  let digits = `${DEC}_`;
  let exponent = 'eEpP';
  if (accept('0') && accept('xX')) {
    digits = `${HEX}_`;
    exponent = 'pP';
  }
  while (accept(digits));
  if (accept('.')) while (accept(digits));
  if (accept(exponent)) {
    accept('+-');
    while (accept(`${DEC}_`));
  }
  return i;
}

/** strconv's underscoreOK: `_` only between digits, or between a base prefix and a digit. */
function underscoreOK(s: string): boolean {
  let saw = '^';
  let i = 0;
  if (s[0] === '+' || s[0] === '-') s = s.slice(1);
  let hex = false;
  if (s.length >= 2 && s[0] === '0' && 'bBoOxX'.includes(s[1])) {
    i = 2;
    saw = '0';
    hex = s[1] === 'x' || s[1] === 'X';
  }
  for (; i < s.length; i++) {
    const c = s[i];
    if (isIn(DEC, c) || (hex && isIn('abcdefABCDEF', c))) saw = '0';
    else if (c === '_') {
      if (saw !== '0') return false;
      saw = '_';
    } else {
      if (saw === '_') return false;
      saw = '!';
    }
  }
  return saw !== '_';
}

const DECIMAL = /^[+-]?(?:[0-9_]+\.?[0-9_]*|\.[0-9_]+)(?:[eE][+-]?[0-9][0-9_]*)?$/;
const HEXADECIMAL = /^([+-]?)0[xX]([0-9a-fA-F_]*)(?:\.([0-9a-fA-F_]*))?[pP]([+-]?[0-9][0-9_]*)$/;

/** strconv.ParseFloat(s, 64): the value, or undefined for a syntax or range (overflow) error. */
export function parseFloatGo(s: string): number | undefined {
  const special = /^([+-]?)(inf|infinity)$/i.exec(s);
  if (special) return special[1] === '-' ? -Infinity : Infinity;
  if (/^nan$/i.test(s)) return NaN;
  if (s.includes('_') && !underscoreOK(s)) return undefined;
  const hex = HEXADECIMAL.exec(s);
  if (hex) {
    const int = hex[2].replace(/_/g, '');
    const frac = (hex[3] ?? '').replace(/_/g, '');
    if (int === '' && frac === '') return undefined;
    const mantissa = BigInt(`0x${int}${frac}`);
    const exp = Number(hex[4].replace(/_/g, ''));
    const value = roundToDouble(mantissa, Math.max(-100000, Math.min(100000, exp)) - 4 * frac.length);
    if (value === Infinity) return undefined;
    return hex[1] === '-' ? -value : value;
  }
  if (!DECIMAL.test(s) || !/[0-9]/.test(s.split(/[eE]/)[0])) return undefined;
  // A clean decimal: Number() rounds it correctly, as ParseFloat does.
  const value = Number(s.replace(/_/g, ''));
  return Number.isFinite(value) ? value : undefined;
}

/** fmt's convertFloat for a 64-bit target: `p` exponents on decimal mantissas go through Ldexp. */
export function convertFloatGo(token: string): number | undefined {
  const p = token.indexOf('p');
  if (p >= 0 && !/[xX]/.test(token)) {
    const f = parseFloatGo(token.slice(0, p));
    if (f === undefined) return undefined;
    const e = token.slice(p + 1);
    // strconv.Atoi: optional sign and decimal digits only, within int64.
    if (!/^[+-]?[0-9]+$/.test(e)) return undefined;
    const m = BigInt(e);
    if (m > 9223372036854775807n || m < -9223372036854775808n) return undefined;
    return ldexp(f, m > 100000n ? 100000 : m < -100000n ? -100000 : Number(m));
  }
  return parseFloatGo(token);
}

/** math.Ldexp: f · 2^m rounded once (half to even), ±Infinity on overflow, signed zero on underflow. */
export function ldexp(f: number, m: number): number {
  if (f === 0 || !Number.isFinite(f)) return f;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(f));
  const bits = view.getBigUint64(0);
  const biased = Number(bits >> 52n);
  const fraction = bits & 0xfffffffffffffn;
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const exp = (biased === 0 ? 1 : biased) - 1075;
  const value = roundToDouble(mantissa, exp + m);
  return f < 0 ? -value : value;
}

/** The double nearest to mantissa · 2^exp (mantissa ≥ 0), ties to even; Infinity beyond the largest. */
export function roundToDouble(mantissa: bigint, exp: number): number {
  if (mantissa === 0n) return 0;
  const length = mantissa.toString(2).length;
  if (length - 1 + exp > 1023) return Infinity;
  // Keep 53 significant bits, fewer where the result is subnormal (lowest bit 2^-1074).
  let shift = Math.max(length - 53, -1074 - exp);
  let m = mantissa;
  if (shift > 0) {
    const s = BigInt(shift);
    const kept = m >> s;
    const rest = m - (kept << s);
    const half = 1n << (s - 1n);
    m = rest > half || (rest === half && (kept & 1n) === 1n) ? kept + 1n : kept;
  } else shift = 0;
  const e = exp + shift;
  if (m.toString(2).length - 1 + e > 1023) return Infinity;
  // m < 2^54 and m · 2^e is representable: two exact power-of-two steps.
  const first = Math.max(-1022, Math.min(1023, e));
  return Number(m) * 2 ** first * 2 ** (e - first);
}
