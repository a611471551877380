import { create, PayloadType } from '../../../shared/protobuf';
import type { Payload } from '../../../shared/protobuf';
import { prng } from '../../../test/harness/prng';
import {
  formatFixed5,
  nearestFloat32,
  rewriteScientific,
  rewriteScientificExact,
  rewriteScientificFast,
  transformScientificNotation,
} from './scientific-notation';

describe('rewriteScientific (§6.3)', () => {
  it.each([
    ['1.1920928955078125e-05', '0.00001'],
    ['1.23e-9', '0.00000'],
    ['1.0e30', '1000000015047466219876688855040.00000'],
    ['-1.0e-9', '-0.00000'],
    ['-0.0e0', '-0.00000'],
    ['1.0e-50', '0.00000'],
    ['1.5625e-2', '0.01562'], // 0.015625: tie, rounds to even
    ['4.6875e-2', '0.04688'], // 0.046875: tie, rounds to even (up)
    ['.5e1', '5.00000'],
    ['5.e0', '5.00000'],
    ['+1.5E+1', '15.00000'],
    ['1.0e-1', '0.10000'], // float32 0.100000001490116…
    ['3.4028235e38', '340282346638528859811704183484516925440.00000'],
    ['3.4028235677973366e38', '340282346638528859811704183484516925440.00000'],
    ['1.4e-45', '0.00000'],
    ['1.0e-99999999999999999999', '0.00000'],
  ])('%s ⇒ %s', (input, out) => {
    expect(rewriteScientific(input)).toBe(out);
  });

  it('rounds straight from the decimal (no double rounding through float64)', () => {
    // Just above the float32 midpoint 131072.0078125; float64 parsing lands exactly on the midpoint and
    // Math.fround then ties to even (131072), but the correctly rounded float32 is 131072.015625.
    const s = '1.310720078125000000000001e5';
    expect(Math.fround(parseFloat(s))).toBe(131072);
    expect(rewriteScientific(s)).toBe('131072.01562');
    expect(rewriteScientific('1.310720078125e5')).toBe('131072.00000');
  });

  it('keeps the exact value for very long digit strings', () => {
    expect(rewriteScientific(`1.310720078125${'0'.repeat(2000)}1e5`)).toBe('131072.01562');
    expect(rewriteScientific(`1.310720078125${'0'.repeat(2000)}e5`)).toBe('131072.00000');
  });

  it.each([
    ['0.00000012'],
    ['0.03'],
    ['3'],
    ['1e-3'],
    ['.e5'],
    ['1.5e'],
    ['1.5e1 '],
    [' 1.5e1'],
    ['1.5e1\n'],
    ['１.5e1'],
    ['3.5e38'], // out of range: unchanged
    ['3.4028236e38'],
    ['-1.0e39'],
    ['1.0e99999999999999999999'],
  ])('leaves %j unchanged', (input) => {
    expect(rewriteScientific(input)).toBeUndefined();
  });

  it('nearestFloat32 handles subnormals and the max', () => {
    expect(nearestFloat32(false, '1401298464324817', -60)).toEqual({ ok: true, negative: false, mantissa: 1n, exp2: -149 });
    expect(nearestFloat32(false, '7', -46)).toEqual({ ok: true, negative: false, mantissa: 0n, exp2: -149 }); // 7e-46 < 2^-150
    expect(nearestFloat32(false, '71', -47)).toEqual({ ok: true, negative: false, mantissa: 1n, exp2: -149 }); // 7.1e-46 > 2^-150
    expect(formatFixed5(false, 16777215n, 104)).toBe('340282346638528859811704183484516925440.00000');
  });
});

describe('rewriteScientific fast path agrees with the exact BigInt path', () => {
  /** mulberry32: small seeded PRNG so every run checks the same cases. */
  const rand = prng(0x5c1e17);
  const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)];
  const digitString = (n: number): string => Array.from({ length: n }, () => String(int(0, 9))).join('');

  /** A scientific string for sign · digits · 10^exp10 in a random but valid spelling. */
  function spell(sign: string, digits: string, exp10: number): string {
    const lead = rand() < 0.2 ? '0'.repeat(int(1, 3)) : '';
    const trail = rand() < 0.2 ? '0'.repeat(int(1, 3)) : '';
    const all = lead + digits + trail;
    const point = int(0, all.length);
    const e = exp10 - trail.length + (all.length - point);
    const expText = e < 0 ? `-${-e}` : `${pick(['', '+'])}${e}`;
    return `${sign}${all.slice(0, point)}.${all.slice(point)}${pick(['e', 'E'])}${rand() < 0.1 ? expText.replace(/\d/, '0$&') : expText}`;
  }
  const sign = (): string => pick(['', '', '-', '+']);

  /** Exact decimal digits and exponent of mantissa · 2^exp2. */
  function exactDecimal(mantissa: bigint, exp2: number): { digits: string; exp10: number } {
    if (exp2 >= 0) return { digits: (mantissa << BigInt(exp2)).toString(), exp10: 0 };
    return { digits: (mantissa * 5n ** BigInt(-exp2)).toString(), exp10: exp2 };
  }
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  /** A finite non-negative float32 bit pattern as mantissa · 2^exp2. */
  function float32Parts(bits: number): { mantissa: bigint; exp2: number } {
    const biased = bits >>> 23;
    const frac = bits & 0x7fffff;
    return biased === 0 ? { mantissa: BigInt(frac), exp2: -149 } : { mantissa: BigInt(frac | 0x800000), exp2: biased - 150 };
  }
  /** Exact decimals near `digits · 10^exp10`: itself, truncations rounded both ways, tiny nudges. */
  function near(digits: string, exp10: number): string[] {
    const out = [spell(sign(), digits, exp10)];
    const k = int(1, Math.min(digits.length, 22));
    const cut = digits.slice(0, k);
    const dropped = digits.length - k;
    out.push(spell(sign(), cut, exp10 + dropped), spell(sign(), (BigInt(cut) + 1n).toString(), exp10 + dropped));
    const pad = int(1, Math.max(1, 20 - digits.length));
    const big = BigInt(digits) * 10n ** BigInt(pad);
    out.push(spell(sign(), (big + 1n).toString(), exp10 - pad), spell(sign(), (big - 1n).toString(), exp10 - pad));
    return out;
  }

  /** Cases per generator; 8 generators ⇒ at least 240,000 cases. */
  const CASES_PER_GENERATOR = 30_000;
  const generators: Record<string, () => string[]> = {
    'random digit strings': () => [spell(sign(), digitString(int(1, 20)), int(-50, 45))],
    'longer digit strings (beyond the fast path)': () => [spell(sign(), digitString(int(21, 30)), int(-60, 45))],
    // Exact midpoints between adjacent float32 values (2m+1)·2^(exp2-1), from subnormal to max.
    'float32 midpoints': () => {
      const bits = rand() < 0.5 ? int(0, 0x7f7fffff) : int(0x3f000000, 0x5a000000); // bias to short decimals
      const { mantissa, exp2 } = float32Parts(bits);
      const { digits, exp10 } = exactDecimal(2n * mantissa + 1n, exp2 - 1);
      return near(digits, exp10);
    },
    'float32 values': () => {
      const bits = int(0, 0x7f7fffff);
      const { mantissa, exp2 } = float32Parts(bits);
      u32[0] = bits;
      const shortest = f32[0].toExponential().replace(/^(\d)e/, '$1.e');
      const exact = exactDecimal(mantissa, exp2);
      return [shortest, `-${shortest}`, ...(exact.digits === '0' ? [] : near(exact.digits, exact.exp10))];
    },
    // j/64 for odd j: ties at the 5th decimal, and their neighbours.
    'odd multiples of 1/64': () => {
      const j = 2n * BigInt(int(0, rand() < 0.5 ? 2000 : 2 ** 23)) + 1n;
      const { digits, exp10 } = exactDecimal(j, -6);
      return near(digits, exp10);
    },
    'near 1e21': () => {
      const f = Math.fround(1e21 * (1 + (rand() - 0.5) * 2 ** -18));
      f32[0] = f;
      const { mantissa, exp2 } = float32Parts(u32[0]);
      return [spell(sign(), digitString(4), 21 - 4 + int(-1, 0)), ...near(exactDecimal(mantissa, exp2).digits, 0)];
    },
    'near float32 max and the overflow threshold': () => {
      const threshold = (2n ** 25n - 1n) * 2n ** 102n; // 2^128 - 2^103
      const max = (2n ** 24n - 1n) * 2n ** 104n;
      return [
        ...near(pick([threshold, max, threshold + BigInt(int(-5, 5)) * 2n ** 80n]).toString(), 0),
        spell(sign(), pick(['34028234663852886', '34028235', '34028236', '3402823466385288598117041834845169254', '34']), 38 - int(1, 16)),
      ];
    },
    'subnormals and underflow': () => {
      const { mantissa, exp2 } = float32Parts(int(0, 0x800000));
      const exact = exactDecimal(rand() < 0.5 ? mantissa : 2n * mantissa + 1n, rand() < 0.5 ? exp2 : exp2 - 1);
      return [...(exact.digits === '0' ? [] : near(exact.digits, exact.exp10)), spell(sign(), digitString(int(1, 20)), int(-70, -38))];
    },
  };

  it.each(Object.keys(generators))('%s', (name) => {
    let count = 0;
    let fast = 0;
    while (count < CASES_PER_GENERATOR) {
      for (const s of generators[name]()) {
        count++;
        const got = rewriteScientific(s);
        const want = rewriteScientificExact(s);
        if (got !== want) throw new Error(`${JSON.stringify(s)}: rewriteScientific ${got}, exact ${want}`);
        if (rewriteScientificFast(s) !== null) fast++;
      }
    }
    // The fast path must take part (and never for > 20 digits, where Number(s) is not guaranteed exact).
    if (name.startsWith('longer')) expect(fast).toBe(0);
    else expect(fast).toBeGreaterThan(0);
  });

  it('declines the double-rounding hazards it cannot prove, answers common inputs', () => {
    expect(rewriteScientificFast('1.31072007812500001e5')).toBeNull(); // float64 lands on the float32 midpoint
    expect(rewriteScientific('1.31072007812500001e5')).toBe('131072.01562');
    expect(rewriteScientificFast('1.3107200781249999e5')).toBeNull();
    expect(rewriteScientific('1.3107200781249999e5')).toBe('131072.00000');
    expect(rewriteScientificFast('-7.0064923216240854e-46')).toBe('-0.00000'); // float32 subnormal range
    expect(rewriteScientificFast('1.1920928955078125e-05')).toBe('0.00001');
    expect(rewriteScientificFast('-3.4028234663852886e+38')).toBe('-340282346638528859811704183484516925440.00000');
    expect(rewriteScientificFast('1.5625e-2')).toBe('0.01562'); // tie handled on the fast path
    expect(rewriteScientificFast('-1.0e-9')).toBe('-0.00000');
    expect(rewriteScientificFast('3.5e38')).toBeUndefined();
  });
});

describe('transformScientificNotation', () => {
  it('rewrites every matching string datum and nothing else', () => {
    const p: Payload = create(PayloadType, {
      data: [
        { key: 106, value: { value: { case: 'string_value', value: '1.1920928955078125e-05' } } },
        { key: 64, value: { value: { case: 'string_value', value: '2.5e0' } } },
        { key: 64, value: { value: { case: 'string_value', value: '0.03' } } },
        { key: 64, value: { value: { case: 'double_value', value: 1e-5 } } },
        { key: 64, value: undefined },
      ],
    });
    transformScientificNotation(p);
    expect(p.data.map((d) => d.value?.value)).toEqual([
      { case: 'string_value', value: '0.00001' },
      { case: 'string_value', value: '2.50000' },
      { case: 'string_value', value: '0.03' },
      { case: 'double_value', value: 1e-5 },
      undefined,
    ]);
  });
});
