import { create, PayloadType } from '../../../shared/protobuf';
import type { Datum, Payload } from '../../../shared/protobuf';
import { prng } from '../../../test/harness/prng';
import { parseLocation, transformLocation } from './location';

describe('parseLocation (§6.3 grammar)', () => {
  it.each([
    ['(37.412374 N, 122.145867 W)', 37.412374, -122.145867],
    ['(37.412374 S, 122.145867 E)', -37.412374, 122.145867],
    ['(37.412374 N, 122.145867 E)', 37.412374, 122.145867],
    ['(37.412374 S, 122.145867 W)', -37.412374, -122.145867],
    ['(  -1.5 N, +2 W)', -1.5, -2],
    ['(+.5 N, 5. E)', 0.5, 5],
    ['(1e3 N, -2E-2 W)', 1000, 0.02],
    ['(1 N, 2 E) anything after the paren, even\na newline', 1, 2],
    ['(\t1\u00a0N,\u2028\u30002\u2000\u200a\u202f\u205f\u1680\u0085\v\f\r E)', 1, 2],
    ['(100 N, 200 W)', 100, -200],
  ])('%j ⇒ {%d, %d}', (s, lat, lon) => {
    expect(parseLocation(s)).toMatchObject({ ok: true, latitude: lat, longitude: lon });
  });

  it('the fast pattern for the common form never changes a result (generated strings)', () => {
    const rand = prng(7);
    const pieces = ['(', ')', ' ', ',', 'N', 'S', 'E', 'W', 'w', '1', '37', '.', '5', '-', '+', 'e', '\t', '\n', '\u00a0', '122.145867'];
    const common = () =>
      `(${rand() < 0.5 ? '-' : ''}${(rand() * 180).toFixed(1 + Math.floor(rand() * 7))} ${'NSEW'[Math.floor(rand() * 4)]}, ${(rand() * 360).toFixed(6)} ${'NSEW'[Math.floor(rand() * 4)]})`;
    for (let i = 0; i < 20000; i++) {
      let s = common();
      if (i % 2 === 1) {
        // Mutate: insert, delete or replace a piece somewhere.
        const at = Math.floor(rand() * s.length);
        const piece = pieces[Math.floor(rand() * pieces.length)] as string;
        const op = Math.floor(rand() * 3);
        s = s.slice(0, at) + (op === 1 ? '' : piece) + s.slice(op === 0 ? at : at + 1);
      }
      expect(parseLocation(s)).toEqual(parseLocation(s, true));
    }
  });

  it('gives the upstream error texts', () => {
    expect(parseLocation('Abhishek is NOT a location')).toEqual({ ok: false, error: 'input does not match format' });
    expect(parseLocation('(37.412374 Q, 122.145867 W)')).toEqual({
      ok: false,
      error: 'invalid location format: (37.412374 Q, 122.145867 W)',
    });
    expect(parseLocation('(37.412374 N, 122.145867 w)').ok).toBe(false);
  });

  it.each([
    ['newline inside', '(1 N,\n2 W)'],
    ['newline before the number', '(\n1 N, 2 W)'],
    ['CRLF as space', '(1 N,\r\n2 W)'],
    ['no space before quadrant', '(1N, 2 W)'],
    ['no space after comma', '(1 N,2 W)'],
    ['space before comma', '(1 N , 2 W)'],
    ['leading space', ' (1 N, 2 W)'],
    ['missing paren', '(1 N, 2 W'],
    ['BOM is not a space', '(\ufeff1 N, 2 W)'],
    ['exponent without digits', '(1e N, 2 W)'],
    ['two-letter quadrant', '(1 NN, 2 W)'],
    ['lower-case quadrant', '(1 n, 2 W)'],
    ['empty', ''],
  ])('rejects %s', (_name, s) => {
    expect(parseLocation(s).ok).toBe(false);
  });
});

const str = (key: number, value: string): Datum => ({ key, value: { value: { case: 'string_value', value } } });

describe('transformLocation', () => {
  it('rewrites only the first Location datum', () => {
    const p: Payload = create(PayloadType, {
      data: [str(64, '(1 N, 2 W)'), str(21, '(37.412374 N, 122.145867 W)'), str(21, '(3 N, 4 E)')],
    });
    transformLocation(p);
    expect(p.data[0].value?.value).toEqual({ case: 'string_value', value: '(1 N, 2 W)' });
    expect(p.data[1].value?.value).toEqual({
      case: 'location_value',
      value: { latitude: 37.412374, longitude: -122.145867, $unknown: undefined },
    });
    expect(p.data[2].value?.value).toEqual({ case: 'string_value', value: '(3 N, 4 E)' });
  });

  it('stops at the first Location datum even when it is not a parseable string', () => {
    for (const first of [str(21, 'Abhishek is NOT a location'), str(21, ''), { key: 21, value: undefined }]) {
      const p: Payload = create(PayloadType, { data: [first, str(21, '(3 N, 4 E)')] });
      transformLocation(p);
      expect(p.data[1].value?.value).toEqual({ case: 'string_value', value: '(3 N, 4 E)' });
    }
  });

  it('passes an incoming location_value through unchanged', () => {
    const loc = { case: 'location_value' as const, value: { latitude: 1, longitude: 2 } };
    const p: Payload = create(PayloadType, { data: [{ key: 21, value: { value: loc } }] });
    const before = p.data[0].value?.value;
    transformLocation(p);
    expect(p.data[0].value?.value).toBe(before);
    expect(before).toEqual({ case: 'location_value', value: { latitude: 1, longitude: 2, $unknown: undefined } });
  });
});
