/**
 * Scientific-notation transform (PROTOCOL.md §6.3): string values such as `1.1920928955078125e-05`
 * become the float32 nearest to the exact decimal, printed like Go's `%.5f` (`0.00001`).
 *
 * The reference implementation (`rewriteScientificExact`) is exact BigInt work: parse rounding and
 * print rounding are both round-half-to-even on exact values, so no double rounding can occur.
 * `rewriteScientific` first tries a float64 fast path (`rewriteScientificFast`) that only answers
 * when it can prove the result equals the exact one, and otherwise falls back to the BigInt path.
 */
import type { Payload } from '../../../shared/protobuf';

/** A decimal point is mandatory and so is the exponent: `1e-3` and `0.03` do not match. */
const SCIENTIFIC_RE = /^([+-]?)(\d*)\.(\d*)[eE]([+-]?\d+)$/;
/** Also requires a digit on at least one side of the point (`\d*\.\d+|\d+\.\d*`). */
const SHAPE_RE = /^[+-]?(\d*\.\d+|\d+\.\d*)([eE][+-]?\d+)$/;

/** Digits kept before the tail is folded into one sticky digit; far more than float32 rounding needs. */
const MAX_DIGITS = 800;
const MANTISSA_BITS = 24;
const MIN_EXP2 = -149; // smallest float32 subnormal = 2^-149
const MAX_EXP2 = 104; // largest float32 = (2^24 - 1) * 2^104

export type Float32Parse = { ok: true; negative: boolean; mantissa: bigint; exp2: number } | { ok: false };

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/**
 * The float32 nearest to `sign · digits · 10^exp10` as mantissa · 2^exp2 (mantissa < 2^24), or
 * `{ok:false}` when it rounds beyond float32 max. Underflow gives mantissa 0 (not an error).
 */
export function nearestFloat32(negative: boolean, digits: string, exp10: number): Float32Parse {
  let d = digits.replace(/^0+/, '');
  if (d === '') return { ok: true, negative, mantissa: 0n, exp2: 0 };
  const trimmed = d.replace(/0+$/, '');
  exp10 += d.length - trimmed.length;
  d = trimmed;
  if (d.length > MAX_DIGITS) {
    // Keep the value strictly inside the same gap between MAX_DIGITS-digit decimals.
    exp10 += d.length - MAX_DIGITS - 1;
    d = `${d.slice(0, MAX_DIGITS)}1`;
  }
  const decimalExp = d.length + exp10; // value < 10^decimalExp
  if (decimalExp > 39) return { ok: false }; // ≥ 10^39 > float32 max
  if (decimalExp < -46) return { ok: true, negative, mantissa: 0n, exp2: 0 }; // < 10^-46 < 2^-150
  let num = BigInt(d);
  let den = 1n;
  if (exp10 >= 0) num *= 10n ** BigInt(exp10);
  else den = 10n ** BigInt(-exp10);

  let exp2 = Math.max(bitLength(num) - bitLength(den) - MANTISSA_BITS, MIN_EXP2);
  let q: bigint;
  let rem: bigint;
  let div: bigint;
  for (;;) {
    const n = exp2 < 0 ? num << BigInt(-exp2) : num;
    div = exp2 > 0 ? den << BigInt(exp2) : den;
    q = n / div;
    rem = n % div;
    if (q < 1n << BigInt(MANTISSA_BITS)) break;
    exp2++;
  }
  const twice = rem * 2n;
  if (twice > div || (twice === div && (q & 1n) === 1n)) q++;
  if (q === 1n << BigInt(MANTISSA_BITS)) {
    q >>= 1n;
    exp2++;
  }
  if (exp2 > MAX_EXP2) return { ok: false };
  return { ok: true, negative, mantissa: q, exp2 };
}

/** Exact `%.5f` of mantissa · 2^exp2 with round-half-to-even; the sign is kept for zero results. */
export function formatFixed5(negative: boolean, mantissa: bigint, exp2: number): string {
  let scaled: bigint;
  if (exp2 >= 0) scaled = (mantissa << BigInt(exp2)) * 100000n;
  else {
    const num = mantissa * 100000n;
    const den = 1n << BigInt(-exp2);
    scaled = num / den;
    const twice = (num % den) * 2n;
    if (twice > den || (twice === den && (scaled & 1n) === 1n)) scaled++;
  }
  const frac = (scaled % 100000n).toString().padStart(5, '0');
  return `${negative ? '-' : ''}${scaled / 100000n}.${frac}`;
}

/**
 * Reference implementation (exact BigInt arithmetic): the rewritten string for a scientific-notation
 * value, or undefined when the value stays unchanged. `rewriteScientific` must always agree with it.
 */
export function rewriteScientificExact(s: string): string | undefined {
  if (!SHAPE_RE.test(s)) return undefined;
  const m = SCIENTIFIC_RE.exec(s)!;
  const [, sign, intDigits, fracDigits, expText] = m;
  // Exponents beyond ±1e9 only decide overflow/underflow; clamp so arithmetic stays small.
  const exp = Math.max(-1e9, Math.min(1e9, Number(expText)));
  const parsed = nearestFloat32(sign === '-', intDigits + fracDigits, exp - fracDigits.length);
  if (!parsed.ok) return undefined;
  return formatFixed5(parsed.negative, parsed.mantissa, parsed.exp2);
}

// Fast path. Scratch views for reading the bit pattern of a double.
const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
/** Index of the low 32 bits of a float64 in U32 (0 on little-endian hosts). */
const LO_WORD = ((): number => {
  F64[0] = 1; // 0x3FF00000_00000000: the low word is zero
  return U32[0] === 0 ? 0 : 1;
})();
/** Largest significant-digit count for which ECMAScript guarantees `Number(s)` is correctly rounded. */
const FAST_MAX_DIGITS = 20;
const TWO_POW_MINUS_126 = 2 ** -126; // smallest normal float32

/**
 * The result of `rewriteScientificExact(s)` for a string that already matches SHAPE_RE, computed
 * with float64 arithmetic; `null` when this path cannot prove its answer exact (the caller must then
 * use the BigInt path). Why the answers are exact, with x the exact decimal value of s:
 *
 * 1. At most 20 digit characters ⇒ at most 20 significant digits ⇒ `Number(s)` is the correctly
 *    rounded double d = RN64(x) (ECMAScript RoundMVResult; beyond 20 digits it may be inexact).
 * 2. Every float32 and every midpoint between adjacent float32 values (including 2^-150 between 0
 *    and the smallest subnormal, and 2^128 - 2^103 above float32 max) is a double, and RN64 is
 *    monotonic, so x < m ⇒ d ≤ m and x > m ⇒ d ≥ m for each midpoint m. Hence if d is not itself a
 *    midpoint, x and d lie strictly between the same two consecutive midpoints and round to the same
 *    float32: RN32(x) = RN32(d) = Math.fround(d). If d is a midpoint, x may be on either side: fall back.
 *    Below 2^-126 (float32 subnormals and zero) the float32 itself is not needed: it prints as 0.00000.
 * 3. Printing: `toFixed(5)` is exact except that ties go up rather than to even, and it uses exponent
 *    form from 1e21. For a dyadic f, f·10^5 ends in exactly .5 iff f·64 is an odd integer; those ties
 *    are resolved here with exact integer arithmetic (f·64 < 2^24, so everything stays below 2^53).
 *    Values ≥ 1e21 are integers (≥ 2^24) and are printed via BigInt.
 * 4. The sign is printed from the input's sign character, as `formatFixed5` does (`-0.00000`).
 */
export function rewriteScientificFast(s: string): string | undefined | null {
  const negative = s.charCodeAt(0) === 45; // '-'
  let e = s.indexOf('e');
  if (e < 0) e = s.indexOf('E');
  // Characters before the exponent, minus the point and any sign, are all digits.
  if (e - 1 - (negative || s.charCodeAt(0) === 43 ? 1 : 0) > FAST_MAX_DIGITS) return null;
  const sign = negative ? '-' : '';
  const d = Math.abs(Number(s));
  // Below the smallest normal float32 x is too (monotonicity), so its float32 is at most 2^-126 and
  // prints as zero whichever way it rounds.
  if (d < TWO_POW_MINUS_126) return `${sign}0.00000`;
  // A float32 midpoint in the normal range (or 2^128 - 2^103) has the 29 significand bits that float32
  // drops equal to exactly one half: 1 followed by 28 zeros.
  F64[0] = d;
  if ((U32[LO_WORD] & 0x1fffffff) === 0x10000000) return null;
  const f = Math.fround(d);
  // Infinity: d > 2^128 - 2^103 (d is not that midpoint), so x is too and float32 parsing overflows.
  if (f === Infinity) return undefined;
  const t64 = f * 64;
  if (Number.isInteger(t64) && t64 % 2 === 1) {
    // f·10^5 = t64·3125/2 is exactly halfway between n and n+1; pick the even one.
    let n = (t64 * 3125 - 1) / 2;
    if (n % 2 === 1) n++;
    const frac = n % 100000;
    return `${sign}${(n - frac) / 100000}.${String(frac).padStart(5, '0')}`;
  }
  if (f < 1e21) return sign + f.toFixed(5);
  return `${sign}${BigInt(f)}.00000`;
}

/** The rewritten string for a scientific-notation value, or undefined when the value stays unchanged. */
export function rewriteScientific(s: string): string | undefined {
  if (!SHAPE_RE.test(s)) return undefined;
  const fast = rewriteScientificFast(s);
  return fast === null ? rewriteScientificExact(s) : fast;
}

/** Rewrites every non-empty scientific-notation `string_value` in place. */
export function transformScientificNotation(payload: Payload): void {
  for (const datum of payload.data) {
    const v = datum.value?.value;
    if (v === undefined || v.case !== 'string_value' || v.value === '') continue;
    const out = rewriteScientific(v.value);
    if (out === undefined) continue;
    // A new Value, as upstream builds one: its other (unknown) fields and its old bytes are dropped.
    const value = datum.value!;
    value.value = { case: 'string_value', value: out };
    value.$unknown = undefined;
    value.$bytes = undefined;
  }
}
