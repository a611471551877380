import { logfmtValue } from './logfmt';
import { sortJsonLine } from './sorted-json';
import { rfc3339 } from './time';
import { createLogger, logServerMessage } from './index';

describe('sortJsonLine', () => {
  test('sorts nested objects, keeps arrays in order and values as written', () => {
    expect(sortJsonLine('{"b":[3,{"d":1,"c":"x,}"}],"a":1.50,"c":{}}\n')).toBe('{"a":1.50,"b":[3,{"c":"x,}","d":1}],"c":{}}\n');
  });

  test('escaped keys sort by their text', () => {
    expect(sortJsonLine('{"b":1,"\\u0061":2}\n')).toBe('{"\\u0061":2,"b":1}\n');
  });

  test('text that is not a JSON object is passed through', () => {
    expect(sortJsonLine('not json\n')).toBe('not json\n');
    expect(sortJsonLine('{"a":1\n')).toBe('{"a":1\n');
  });
});

describe('logfmtValue', () => {
  test.each([
    ['plain', 'plain'],
    ['', '""'],
    ['two words', '"two words"'],
    ['a=b', '"a=b"'],
    ['say "x"', '"say \\"x\\""'],
    ['back\\slash', '"back\\\\slash"'],
    ['tab\there', '"tab\\there"'],
    ['2024-05-01T12:00:00.5Z', '2024-05-01T12:00:00.5Z'],
  ])('%j ⇒ %s', (input, output) => {
    expect(logfmtValue(input)).toBe(output);
  });
});

describe('rfc3339 (§11.6: RFC 3339, fraction trailing zeros trimmed)', () => {
  test.each([
    ['2024-05-01T12:00:00.123Z', '2024-05-01T12:00:00.123Z'],
    ['2024-05-01T12:00:00.120Z', '2024-05-01T12:00:00.12Z'],
    ['2024-05-01T12:00:00.100Z', '2024-05-01T12:00:00.1Z'],
    ['2024-05-01T12:00:00.000Z', '2024-05-01T12:00:00Z'],
  ])('%s ⇒ %s', (iso, expected) => {
    expect(rfc3339(new Date(iso))).toBe(expected);
  });
});

describe('logServerMessage (§2.2, §11.6)', () => {
  const message = 'http: TLS handshake error from 0.0.0.0:1: EOF';

  function run(suppress: boolean, text: string): string[] {
    const lines: string[] = [];
    const logger = createLogger({ json: true, level: 'info', destination: { write: (s: string) => void lines.push(s) } });
    logServerMessage(logger, text, suppress);
    return lines;
  }

  test('handshake errors are logged as activity unless suppressed', () => {
    expect(JSON.parse(run(false, message)[0] as string)).toMatchObject({ activity: true, level: 'info', msg: message });
    expect(run(true, message)).toEqual([]);
    expect(run(true, 'http: other server error')).toHaveLength(1);
  });
});
