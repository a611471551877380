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
