/**
 * Scientific-notation transform (PROTOCOL.md §6.3): string values such as `1.1920928955078125e-05`
 * become the float32 nearest to the exact decimal, printed like Go's `%.5f` (`0.00001`). All
 * arithmetic is exact BigInt work: parse rounding and print rounding are both round-half-to-even
 * on exact values, so no double rounding can occur.
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

/** The rewritten string for a scientific-notation value, or undefined when the value stays unchanged. */
export function rewriteScientific(s: string): string | undefined {
  if (!SHAPE_RE.test(s)) return undefined;
  const m = SCIENTIFIC_RE.exec(s)!;
  const [, sign, intDigits, fracDigits, expText] = m;
  // Exponents beyond ±1e9 only decide overflow/underflow; clamp so arithmetic stays small.
  const exp = Math.max(-1e9, Math.min(1e9, Number(expText)));
  const parsed = nearestFloat32(sign === '-', intDigits + fracDigits, exp - fracDigits.length);
  if (!parsed.ok) return undefined;
  return formatFixed5(parsed.negative, parsed.mantissa, parsed.exp2);
}

/** Rewrites every non-empty scientific-notation `string_value` in place. */
export function transformScientificNotation(payload: Payload): void {
  for (const datum of payload.data) {
    const v = datum.value?.value;
    if (v === undefined || v.case !== 'string_value' || v.value === '') continue;
    const out = rewriteScientific(v.value);
    if (out !== undefined) datum.value!.value = { case: 'string_value', value: out };
  }
}
