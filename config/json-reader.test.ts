import { fromPlainValue, JsonSyntaxError, readFirstJsonValue, toPlainValue } from './json-reader';

function syntaxError(text: string): JsonSyntaxError {
  try {
    readFirstJsonValue(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) return e;
    throw e;
  }
  throw new Error('expected a syntax error');
}

describe('readFirstJsonValue', () => {
  test('keeps number literals as written', () => {
    expect(readFirstJsonValue('{"a": 1.0, "b": 1e3, "c": -0, "d": 12345678901234567890}')).toEqual({
      kind: 'object',
      members: [
        { key: 'a', value: { kind: 'number', text: '1.0' } },
        { key: 'b', value: { kind: 'number', text: '1e3' } },
        { key: 'c', value: { kind: 'number', text: '-0' } },
        { key: 'd', value: { kind: 'number', text: '12345678901234567890' } },
      ],
    });
  });

  test('decodes strings with escapes and keeps duplicate keys in order', () => {
    const v = readFirstJsonValue('{"k": "a\\"b\\\\c\\u00e9\\ud83d\\ude00\\n", "k": [true, false, null]}');
    expect(toPlainValue(v)).toEqual({ k: [true, false, null] });
    expect(v).toMatchObject({ members: [{ key: 'k', value: { kind: 'string', value: 'a"b\\c\u00e9\u{1F600}\n' } }, { key: 'k' }] });
  });

  test('reads only the first value and skips a BOM', () => {
    expect(toPlainValue(readFirstJsonValue('\ufeff {"a": 1}} not json'))).toEqual({ a: 1 });
  });

  test.each([
    ['{"host": "127.0.0.1", "port": "",}', "invalid character '}' looking for beginning of object key string", 1, 34],
    ['{"a" 1}', "invalid character '1' after object key", 1, 6],
    ['{"a": 1 "b": 2}', "invalid character '\"' after object key:value pair", 1, 9],
    ['[1 2]', "invalid character '2' after array element", 1, 4],
    ['[1,]', "invalid character ']' looking for beginning of value", 1, 4],
    ['{"a": 01}', "invalid character '1' after object key:value pair", 1, 8],
    ['{"a": -x}', "invalid character 'x' in numeric literal", 1, 8],
    ['{"a": 1.}', "invalid character '}' after decimal point in numeric literal", 1, 9],
    ['{"a": 1e+}', "invalid character '}' in exponent of numeric literal", 1, 10],
    ['{"a": tru}', "invalid character '}' in literal true (expecting 'e')", 1, 10],
    ['{"a": nul', 'unexpected end of JSON input', 1, 10],
    ['{"a": "x\\q"}', "invalid character 'q' in string escape code", 1, 10],
    ['{"a": "\\u12G4"}', "invalid character 'G' in \\u hexadecimal character escape", 1, 12],
    ['{"a": "tab\there"}', "invalid character '\\t' in string literal", 1, 11],
    ["{'a': 1}", "invalid character '\\'' looking for beginning of object key string", 1, 2],
    ['{\n  "a": 1,\n  }', "invalid character '}' looking for beginning of object key string", 3, 3],
    ['', 'unexpected end of JSON input', 1, 1],
    ['{"a": [1, 2', 'unexpected end of JSON input', 1, 12],
  ])('%j ⇒ %s', (text, message, line, column) => {
    const e = syntaxError(text);
    expect(e.message).toBe(message);
    expect([e.line, e.column]).toEqual([line, column]);
  });
});

describe('fromPlainValue', () => {
  test('wraps parsed values in the same tree', () => {
    expect(fromPlainValue({ a: [1, 'x', true, null], b: 2.5 })).toEqual({
      kind: 'object',
      members: [
        {
          key: 'a',
          value: {
            kind: 'array',
            items: [{ kind: 'number', text: '1' }, { kind: 'string', value: 'x' }, { kind: 'bool', value: true }, { kind: 'null' }],
          },
        },
        { key: 'b', value: { kind: 'number', text: '2.5' } },
      ],
    });
  });
});
