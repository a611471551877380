import { create, PayloadType } from '../../../shared/protobuf';
import type { Payload } from '../../../shared/protobuf';
import { formatFixed5, nearestFloat32, rewriteScientific, transformScientificNotation } from './scientific-notation';

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
