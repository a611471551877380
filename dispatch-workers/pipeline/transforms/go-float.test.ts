import { parseLocation } from './location';
import { ldexp, roundToDouble } from './go-float';

/** Latitude of `(<token> N, 1 E)`, or undefined when the string stays a string. */
function latitude(token: string): number | undefined {
  const r = parseLocation(`(${token} N, 1 E)`);
  return r.ok ? r.latitude : undefined;
}

describe('location floats scan as Go scans %f (issue 14.A.1)', () => {
  it.each([
    ['37.412374', 37.412374],
    ['0x1.8p3', 12],
    ['0X1P-2', 0.25],
    ['-0x.8p1', -1],
    ['0x_1p0', 1],
    ['1_000', 1000],
    ['1_000.5e1_0', 1000.5e10],
    ['1.5p3', 12],
    ['1p-1', 0.5],
    ['1p2000', Infinity],
    ['-1p-5000', -0],
    ['1e-400', 0],
    ['nan', NaN],
    ['NaN', NaN],
    ['inf', Infinity],
    ['+Inf', Infinity],
    ['-INF', -Infinity],
    ['1.', 1],
    ['.5', 0.5],
    ['+.5e+1', 5],
  ])('%s ⇒ %d', (token, value) => {
    expect(latitude(token)).toBe(value);
  });

  it.each([
    '1e400', // overflow: ParseFloat's range error fails the scan
    '-1e400',
    '0x1p1024',
    '1_',
    '_1',
    '1__0',
    '1_.5',
    '0x1.8', // a hex float needs its p exponent
    '0x1e3',
    '1P3', // only a lowercase p goes the Ldexp way
    '1p',
    '1p1_0',
    '1p+',
    '1e',
    '1e+',
    '.',
    '+',
    '',
    '+nan',
    'infinity',
    'na',
    '1.2.3',
    '1e5p3',
    '0x',
    '0xp1',
  ])('%s stays a string', (token) => {
    expect(latitude(token)).toBeUndefined();
  });

  it('Ldexp and hex values round once, half to even, into subnormals', () => {
    expect(roundToDouble(3n, -1076)).toBe(2 ** -1074); // 0.75 · 2^-1074
    expect(roundToDouble(1n, -1075)).toBe(0); // a tie with 0: even
    expect(roundToDouble(3n, -1075)).toBe(2 ** -1073); // 1.5 · 2^-1074: a tie, to even (2)
    expect(roundToDouble((1n << 53n) + 1n, 0)).toBe(2 ** 53); // tie to even
    expect(roundToDouble((1n << 53n) + 3n, 0)).toBe(2 ** 53 + 4);
    expect(ldexp(1.5, -1074)).toBe(2 ** -1073);
    expect(ldexp(-3, 1023)).toBe(-Infinity);
    expect(Object.is(ldexp(-1, -2000), -0)).toBe(true);
  });
});

/**
 * A model of Go's `%f` scan into a float64, written from the Go specification's float literal
 * grammar (which strconv.ParseFloat accepts, plus plain integers and the inf/nan words) and from
 * fmt's rule that a lowercase `p` after a decimal mantissa is a binary exponent applied by Ldexp.
 * Values are computed exactly with BigInt and rounded by Number() on an exact decimal string.
 */
const DEC_DIGITS = '[0-9](?:_?[0-9])*';
const HEX_DIGITS = '[0-9a-fA-F](?:_?[0-9a-fA-F])*';
const DEC_MANTISSA = `(?:${DEC_DIGITS}\\.(?:${DEC_DIGITS})?|${DEC_DIGITS}|\\.${DEC_DIGITS})`;
const GO_DECIMAL = new RegExp(`^[+-]?${DEC_MANTISSA}(?:[eE][+-]?${DEC_DIGITS})?$`);
const GO_HEX = new RegExp(`^([+-]?)0[xX]((?:_?${HEX_DIGITS})?)(?:\\.(${HEX_DIGITS})?)?[pP]([+-]?${DEC_DIGITS})$`);
const GO_DECIMAL_P = new RegExp(`^([+-]?${DEC_MANTISSA})p([+-]?[0-9]+)$`);

/** Exact m · 2^e (m may be negative) rounded to a double through an exact decimal string. */
function exactTimesPow2(m: bigint, e: bigint): number {
  const neg = m < 0n;
  const a = neg ? -m : m;
  const text = e >= 0n ? `${a << e}` : `${a * 5n ** -e}e${e}`;
  const v = Number(text);
  return neg ? -v : v;
}

/** Exact integer mantissa and exponent of a finite double. */
function decompose(x: number): [bigint, bigint] {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = (bits >> 52n) & 0x7ffn;
  const fraction = bits & 0xfffffffffffffn;
  const mantissa = biased === 0n ? fraction : fraction | (1n << 52n);
  return [bits >> 63n ? -mantissa : mantissa, (biased === 0n ? 1n : biased) - 1075n];
}

function model(token: string): number | undefined {
  if (/^[nN][aA][nN]$/.test(token)) return NaN;
  const inf = /^([+-]?)[iI][nN][fF]$/.exec(token);
  if (inf) return inf[1] === '-' ? -Infinity : Infinity;
  const hex = GO_HEX.exec(token);
  if (hex) {
    const int = hex[2].replace(/_/g, '');
    const frac = (hex[3] ?? '').replace(/_/g, '');
    if (int === '' && frac === '') return undefined;
    const m = BigInt(`0x${int}${frac}`) * (hex[1] === '-' ? -1n : 1n);
    const v = exactTimesPow2(m, BigInt(hex[4].replace(/_/g, '')) - 4n * BigInt(frac.length));
    return Number.isFinite(v) ? v : undefined;
  }
  const p = GO_DECIMAL_P.exec(token);
  if (p) {
    const f = Number(p[1].replace(/_/g, ''));
    if (!Number.isFinite(f)) return undefined;
    if (f === 0) return f;
    const [m, e] = decompose(f);
    return exactTimesPow2(m, e + BigInt(p[2]));
  }
  if (GO_DECIMAL.test(token)) {
    const v = Number(token.replace(/_/g, ''));
    return Number.isFinite(v) ? v : undefined;
  }
  return undefined;
}

describe('location floats against a model of Go float syntax (property test)', () => {
  let seed = 14;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const digits = (alphabet: string, max: number) => {
    let s = '';
    const n = Math.floor(random() * max);
    for (let i = 0; i < n; i++) s += random() < 0.1 ? '_' : alphabet[Math.floor(random() * alphabet.length)];
    return s;
  };
  function token(): string {
    const sign = pick(['', '', '+', '-']);
    const form = random();
    if (form < 0.05) return sign + pick(['nan', 'NaN', 'inf', 'Inf', 'INF', 'infinity', 'na', 'in']);
    const exponentDigits = () => pick(['', '0', '5', '30', '308', '309', '400', '1074', '1075', '2000', digits('0123456789', 5)]);
    if (form < 0.35) {
      const hexDigits = '0123456789abcdefABCDEF';
      const frac = random() < 0.5 ? `.${digits(hexDigits, 16)}` : '';
      const exp = random() < 0.9 ? `${pick(['p', 'P'])}${pick(['', '+', '-'])}${exponentDigits()}` : '';
      return `${sign}0${pick(['x', 'X'])}${digits(hexDigits, 16)}${frac}${exp}`;
    }
    const frac = random() < 0.6 ? `.${digits('0123456789', 12)}` : '';
    const exp = random() < 0.6 ? `${pick(['e', 'E', 'p', 'P'])}${pick(['', '+', '-'])}${exponentDigits()}` : '';
    let t = `${sign}${digits('0123456789', 12)}${frac}${exp}`;
    if (random() < 0.1) {
      const at = Math.floor(random() * (t.length + 1));
      t = t.slice(0, at) + pick(['_', '.', 'e', 'x', 'p', '+', 'a']) + t.slice(at);
    }
    return t;
  }

  it('20,000 generated tokens: accepted exactly when Go accepts them, with the same value', () => {
    let accepted = 0;
    for (let i = 0; i < 20000; i++) {
      const t = token();
      const expected = model(t);
      if (expected !== undefined) accepted++;
      expect({ token: t, value: latitude(t) }).toEqual({ token: t, value: expected });
    }
    // Both outcomes are well represented.
    expect(accepted).toBeGreaterThan(4000);
    expect(accepted).toBeLessThan(16000);
  });
});
