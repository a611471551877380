import { float32Shortest, formatFloat32, formatFloat64 } from './float-format';

describe('Go-compatible float formatting', () => {
  it.each([
    [0.1, '0.1'],
    [75.5, '75.5'],
    [1e-7, '1e-7'],
    [1e-6, '0.000001'],
    [1e21, '1e+21'],
    [1.5e21, '1.5e+21'],
    [16777217, '16777216'],
    [3.4028234663852886e38, '3.4028235e+38'],
    [1.401298464324817e-45, '1e-45'],
    [-0, '-0'],
    [0, '0'],
    [123.456, '123.456'],
    [0.3, '0.3'],
    // Ties between two shortest candidates go to the even digit (issue 19: the reference prints -3701255.2).
    [-3701255.25, '-3701255.2'],
    [3701255.75, '3701255.8'],
    [9.5, '9.5'],
  ])('float32 %d ⇒ %s', (v, out) => {
    expect(formatFloat32(Math.fround(v))).toBe(out);
  });

  it.each([
    [0.1, '0.1'],
    [-0, '-0'],
    [1e-7, '1e-7'],
    [1e21, '1e+21'],
    [123456789.123, '123456789.123'],
    [5e-324, '5e-324'],
    [-37.412374, '-37.412374'],
  ])('float64 %d ⇒ %s', (v, out) => {
    expect(formatFloat64(v)).toBe(out);
  });

  it('float32Shortest gives a double that prints as the float32 shortest form', () => {
    expect(float32Shortest(Math.fround(0.1))).toBe(0.1);
    expect(Object.is(float32Shortest(-0), -0)).toBe(true);
    expect(float32Shortest(NaN)).toBeNaN();
  });
});

/**
 * A model of Go's shortest formatting (strconv.FormatFloat(x, 'g', -1, bits) digits), written
 * from its definition with exact integers: for p = 1, 2, …, the p-digit decimals floor and ceil of
 * x are the candidates; those inside the rounding interval (halfway to each neighbour, bounds
 * included when the mantissa is even) parse back to x; the first p with one wins, the closer of
 * two, the even one on a tie. Returns [digits, exponent] with x ≈ digits · 10^exponent.
 */
function goShortest(x: number, float32: boolean): [bigint, number] {
  const mantBits = float32 ? 23 : 52;
  const bias = float32 ? 127 : 1023;
  let mant: bigint;
  let exp: number; // |x| = mant · 2^exp
  let prevGapHalf: boolean; // lower neighbour closer (x is a power of two above the smallest normal)
  const view = new DataView(new ArrayBuffer(8));
  if (float32) {
    view.setFloat32(0, Math.abs(x));
    const b = view.getUint32(0);
    const e = b >>> 23;
    const f = BigInt(b & 0x7fffff);
    mant = e === 0 ? f : f | (1n << 23n);
    exp = (e === 0 ? 1 : e) - bias - mantBits;
    prevGapHalf = e > 1 && f === 0n;
  } else {
    view.setFloat64(0, Math.abs(x));
    const b = view.getBigUint64(0);
    const e = Number(b >> 52n);
    const f = b & ((1n << 52n) - 1n);
    mant = e === 0 ? f : f | (1n << 52n);
    exp = (e === 0 ? 1 : e) - bias - mantBits;
    prevGapHalf = e > 1 && f === 0n;
  }
  // Work in units of 2^(exp-2): x = 4·mant, bounds at ±2 (or −1 below a power of two).
  const shift = exp - 2;
  const X = 4n * mant;
  const LO = X - (prevGapHalf ? 1n : 2n);
  const HI = X + 2n;
  const inclusive = mant % 2n === 0n;
  // A value v (in those units) as a rational num/den with den = 2^-shift when shift < 0.
  const num = (v: bigint) => (shift >= 0 ? v << BigInt(shift) : v);
  const den = shift >= 0 ? 1n : 1n << BigInt(-shift);
  const digits = (n: bigint) => n.toString().length;
  // Decimal exponent of x: 10^D ≤ x < 10^(D+1).
  const intPart = num(X) / den;
  let D = intPart > 0n ? digits(intPart) - 1 : -1;
  if (intPart === 0n) while (num(X) * 10n ** BigInt(-D) < den) D--;
  for (let p = 1; p <= 17; p++) {
    const k = D - p + 1;
    // x / 10^k = num·10^-k / den
    const n0 = k >= 0 ? num(X) / (den * 10n ** BigInt(k)) : (num(X) * 10n ** BigInt(-k)) / den;
    const cmp = (n: bigint, v: bigint) => {
      // sign of n·10^k − v (v in units)
      const l = k >= 0 ? n * 10n ** BigInt(k) * den : n * den;
      const r = k >= 0 ? num(v) : num(v) * 10n ** BigInt(-k);
      return l === r ? 0 : l < r ? -1 : 1;
    };
    const fits = (n: bigint) => {
      const a = cmp(n, LO);
      const b = cmp(n, HI);
      return inclusive ? a >= 0 && b <= 0 : a > 0 && b < 0;
    };
    const ok = [n0, n0 + 1n].filter((n) => n > 0n && fits(n));
    if (ok.length === 0) continue;
    if (ok.length === 1) return [ok[0], k];
    // Distances |n·10^k − x| compared as 2n·10^k vs 2x ± …: compare n0 + n0+1 against 2x.
    const c = cmp(2n * n0 + 1n, 2n * X); // sign of (n0 + n0+1)·10^k − 2x
    if (c > 0) return [n0, k];
    if (c < 0) return [n0 + 1n, k];
    return n0 % 2n === 0n ? [n0, k] : [n0 + 1n, k];
  }
  throw new Error(`no shortest form for ${x}`);
}

/** [digits, exponent] of a JS number's text, trailing zeros removed. */
function textDigits(s: string): [bigint, number] {
  const m = /^-?(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/.exec(s);
  if (!m) throw new Error(`unexpected number text ${s}`);
  let d = (m[1] + (m[2] ?? '')).replace(/^0+/, '');
  let e = Number(m[3] ?? 0) - (m[2]?.length ?? 0);
  while (d.endsWith('0')) {
    d = d.slice(0, -1);
    e++;
  }
  return [BigInt(d), e];
}

function modelDigits(x: number, float32: boolean): [bigint, number] {
  const [n, k] = goShortest(x, float32);
  return textDigits(`${n}e${k}`);
}

/** xorshift128+ with a fixed seed: the same bit patterns every run. */
function bitSource(seed: number) {
  let s0 = BigInt(seed) | 1n;
  let s1 = 0x9e3779b97f4a7c15n;
  const mask = (1n << 64n) - 1n;
  return (): bigint => {
    let x = s0;
    const y = s1;
    s0 = y;
    x ^= (x << 23n) & mask;
    s1 = x ^ y ^ (x >> 17n) ^ (y >> 26n);
    return (s1 + y) & mask;
  };
}

describe('shortest digits against a model of Go (property test)', () => {
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  const f64 = new Float64Array(1);
  const u64 = new BigUint64Array(f64.buffer);
  const float32From = (bits: number) => {
    u32[0] = bits;
    return f32[0];
  };

  function check32(bits: number) {
    const x = float32From(bits);
    if (!Number.isFinite(x) || x === 0) return;
    const ours = textDigits(formatFloat32(x));
    expect({ bits: bits.toString(16), digits: ours }).toEqual({ bits: bits.toString(16), digits: modelDigits(x, true) });
  }

  function check64(bits: bigint) {
    u64[0] = bits;
    const x = f64[0];
    if (!Number.isFinite(x) || x === 0) return;
    const ours = textDigits(formatFloat64(x));
    expect({ bits: bits.toString(16), digits: ours }).toEqual({ bits: bits.toString(16), digits: modelDigits(x, false) });
  }

  it('float32: random bit patterns, subnormals, powers of two and the largest values', () => {
    const next = bitSource(32);
    for (let i = 0; i < 20000; i++) check32(Number(next() & 0xffffffffn));
    for (let i = 0; i < 2000; i++) check32(Number(next() & 0x807fffffn)); // subnormals
    for (let e = 1; e < 255; e++) for (const f of [0, 1, 0x7fffff]) check32((e << 23) | f); // exponent switches
    for (let b = 1; b < 64; b++) check32(b);
    check32(0x7f7fffff);
  });

  it('float32: ties between two shortest candidates', () => {
    // In [2^21, 2^22) a float32 is a multiple of 1/4: x.25 and x.75 are ties between x.2/x.3 and
    // x.7/x.8 (both parse back, equally close), and nothing shorter parses back. Where a shortest
    // tie can happen at all, it happens like this (a tie needs a half-ulp of at least 5·10^-(t+1)).
    const next = bitSource(21);
    for (let i = 0; i < 3000; i++) {
      const m = 2 ** 23 + (Number(next() % 2n ** 23n) | 1); // odd: a fraction of .25 or .75
      for (const sign of [1, -1]) {
        f32[0] = (sign * m) / 4;
        check32(u32[0]);
      }
    }
  });

  it('float64 (String): random bit patterns, subnormals, powers of two', () => {
    const next = bitSource(64);
    for (let i = 0; i < 3000; i++) check64(next());
    for (let i = 0; i < 500; i++) check64(next() & 0x800fffffffffffffn); // subnormals
    for (let e = 1n; e < 2047n; e += 7n) for (const f of [0n, 1n, (1n << 52n) - 1n]) check64((e << 52n) | f);
    for (let b = 1n; b < 32n; b++) check64(b);
  });
});
