/**
 * Go-compatible float printing (PROTOCOL.md §6.5, §10.5, §14): shortest round-trip digits, fixed
 * notation for 1e-6 ≤ |x| < 1e21, exponent form otherwise (`1e-7`, `1.5e+21`), negative zero as `-0`.
 *
 * Go's shortest digits are: the fewest digits that parse back to the value (the bounds halfway to
 * the neighbours count when the mantissa is even, as round-half-even parsing maps them there), and
 * among those the closest to the value, the even one on a tie. V8's `String(x)` for doubles is the
 * same algorithm (its bignum fallback breaks ties to even); float32 values need their own digits,
 * computed here (0.1f prints `0.1`, -3701255.25f prints `-3701255.2`).
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Float32 bits of a float32-valued number. */
function bitsOf(v: number): number {
  f32[0] = v;
  return u32[0];
}

/** The float32 (as a number) with these bits; 0x7f800000 (just past the largest) gives 2^128, not Infinity. */
function valueOf(bits: number): number {
  if (bits === 0x7f800000) return 2 ** 128;
  u32[0] = bits;
  return f32[0];
}

/**
 * The double whose shortest decimal form is Go's shortest form of float32 `v`. Non-finite values
 * and zeros pass through.
 */
export function float32Shortest(v: number): number {
  const f = Math.fround(v);
  if (!Number.isFinite(f) || f === 0) return f;
  const a = Math.abs(f);
  const r = shortestPositive32(a);
  return f < 0 ? -r : r;
}

function shortestPositive32(a: number): number {
  const bits = bitsOf(a);
  // The rounding interval: halfway to each neighbour (exact in a double: float32 midpoints need 25 bits).
  const lo = (a + valueOf(bits - 1)) / 2;
  const hi = (a + valueOf(bits + 1)) / 2;
  // Whether some p-digit decimal parses back grows with p (append a zero), so search for the
  // smallest p; nine digits always identify a float32.
  let low = 1;
  let high = 9;
  let found: number | undefined;
  while (low < high) {
    const mid = (low + high) >> 1;
    const c = candidateOf(a, bits, lo, hi, mid);
    if (c === undefined) low = mid + 1;
    else {
      high = mid;
      found = c;
    }
  }
  return found ?? candidateOf(a, bits, lo, hi, 9)!;
}

/** The p-digit decimal Go picks for the float32 `a` (> 0, `bits`), or undefined when none parses back. */
function candidateOf(a: number, bits: number, lo: number, hi: number, p: number): number | undefined {
  // toPrecision(p) is the p-digit decimal nearest to a (ties away from zero): n · 10^k.
  const s = a.toPrecision(p);
  const d = Number(s);
  if (d === a) return d;
  const [n, k] = digitsOf(s);
  // The other p-digit candidate is the neighbour on the other side of a.
  const n2 = d > a ? n - 1 : n + 1;
  const d2 = n2 === 0 ? 0 : Number(`${n2}e${k}`);
  const in1 = inside(d, lo, hi);
  const in2 = n2 === 0 ? false : inside(d2, lo, hi);
  if (in1 === undefined || in2 === undefined) {
    const choice = exactChoice(bits, n, n2, k);
    return choice === 0 ? undefined : choice === 1 ? d : d2;
  }
  if (!in1 && !in2) return undefined;
  if (in1 !== in2) return in1 ? d : d2;
  // Both parse back: the closer wins. A near-tie (the two distances sum to 10^k) is settled exactly.
  const gap = Math.abs(d - a) - Math.abs(d2 - a);
  if (Math.abs(gap) > 4 * Number.EPSILON * a) return gap < 0 ? d : d2;
  return exactChoice(bits, n, n2, k) === 2 ? d2 : d;
}

/**
 * Whether the decimal whose nearest double is `d` lies strictly inside (lo, hi): exact except when
 * `d` is one of the bounds, where the decimal may be on either side (undefined: ask exactChoice).
 */
function inside(d: number, lo: number, hi: number): boolean | undefined {
  if (d === lo || d === hi) return undefined;
  return d > lo && d < hi;
}

/** `n` and `k` of a toPrecision() result `s` = n · 10^k. */
function digitsOf(s: string): [number, number] {
  const e = s.indexOf('e');
  let exp = 0;
  let mantissa = s;
  if (e >= 0) {
    exp = Number(s.slice(e + 1));
    mantissa = s.slice(0, e);
  }
  const dot = mantissa.indexOf('.');
  if (dot >= 0) {
    exp -= mantissa.length - dot - 1;
    mantissa = mantissa.slice(0, dot) + mantissa.slice(dot + 1);
  }
  return [Number(mantissa), exp];
}

/** A positive float32 (by bits) in units of 2^-150, so that it and its neighbours are integers. */
function units(bits: number): bigint {
  if (bits >= 0x7f800000) return 1n << 278n; // 2^128, the upper neighbour of the largest float32
  const exponent = bits >>> 23;
  const fraction = BigInt(bits & 0x7fffff);
  if (exponent === 0) return fraction << 1n;
  return (fraction | 0x800000n) << BigInt(exponent);
}

/**
 * Exact choice between the candidates n · 10^k and n2 · 10^k for the float32 with `bits` (> 0):
 * 0 when neither parses back to it, 1 or 2 for the one that does, or the closer, or the even one
 * on a tie. The bounds count when the mantissa is even.
 */
function exactChoice(bits: number, n: number, n2: number, k: number): 0 | 1 | 2 {
  // Everything doubled (midpoints become integers) and scaled by 10^-k when k < 0.
  const scale = k < 0 ? 10n ** BigInt(-k) : 1n;
  const pow = k > 0 ? 10n ** BigInt(k) : 1n;
  const x = 2n * units(bits) * scale;
  const lo = (units(bits) + units(bits - 1)) * scale;
  const hi = (units(bits) + units(bits + 1)) * scale;
  const inclusive = (bits & 1) === 0;
  const at = (m: number) => 2n * BigInt(m) * pow * (1n << 150n);
  const fits = (c: bigint) => (inclusive ? c >= lo && c <= hi : c > lo && c < hi);
  const c1 = at(n);
  const c2 = at(n2);
  const ok1 = fits(c1);
  const ok2 = n2 !== 0 && fits(c2);
  if (!ok1 && !ok2) return 0;
  if (ok1 !== ok2) return ok1 ? 1 : 2;
  const d1 = c1 > x ? c1 - x : x - c1;
  const d2 = c2 > x ? c2 - x : x - c2;
  if (d1 !== d2) return d1 < d2 ? 1 : 2;
  return n % 2 === 0 ? 1 : 2;
}

/** Go/protojson text of a double; NaN and infinities as `NaN`, `Infinity`, `-Infinity` (unquoted). */
export function formatFloat64(v: number): string {
  if (v === 0 && 1 / v < 0) return '-0';
  return String(v);
}

/** Go/protojson text of a float32 value (shortest float32 digits). */
export function formatFloat32(v: number): string {
  return formatFloat64(float32Shortest(v));
}
