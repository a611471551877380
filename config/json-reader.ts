/** A JSON reader with Go `encoding/json` Decoder behaviour (PROTOCOL.md §12.1): only the first JSON
 * value is read (trailing bytes are ignored), syntax errors use Go's wording (so
 * `{"port": "",}` fails with `invalid character '}' looking for beginning of object key string`), and
 * number literals are kept as text so that integer fields can reject `1.5` or `1e3` as Go does. */

export type JsonValue =
  | { readonly kind: 'null' }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'number'; readonly text: string }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'array'; readonly items: readonly JsonValue[] }
  | { readonly kind: 'object'; readonly members: readonly JsonMember[] };

/** Object members in file order; duplicates are kept (the decoder lets the last one win, like Go). */
export interface JsonMember {
  readonly key: string;
  readonly value: JsonValue;
}

export class JsonSyntaxError extends Error {
  override readonly name = 'JsonSyntaxError';
  constructor(
    message: string,
    readonly offset: number,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

const END_OF_INPUT = 'unexpected end of JSON input';

/** Reads the first JSON value of `text`. A leading UTF-8 BOM is skipped. */
export function readFirstJsonValue(text: string): JsonValue {
  const reader = new Reader(text);
  return reader.first();
}

/** Wraps an already parsed JS value (the `json` option of loadConfig) in the same tree shape. */
export function fromPlainValue(value: unknown): JsonValue {
  if (value === null || value === undefined) return { kind: 'null' };
  switch (typeof value) {
    case 'boolean':
      return { kind: 'bool', value };
    case 'number':
      // Non-finite numbers cannot come from JSON; treat them like Go treats an out-of-range literal.
      return { kind: 'number', text: Number.isFinite(value) ? numberText(value) : String(value) };
    case 'bigint':
      return { kind: 'number', text: value.toString() };
    case 'string':
      return { kind: 'string', value };
    case 'object':
      if (Array.isArray(value)) return { kind: 'array', items: value.map(fromPlainValue) };
      return {
        kind: 'object',
        members: Object.entries(value as Record<string, unknown>).map(([key, v]) => ({ key, value: fromPlainValue(v) })),
      };
    default:
      return { kind: 'string', value: String(value) };
  }
}

/** Integers print without exponent up to 1e21 in JS; beyond that keep JS' text (it is a float then). */
function numberText(n: number): string {
  return Object.is(n, -0) ? '-0' : String(n);
}

/** Plain JS value of a tree (numbers become JS numbers; integers beyond 2^53 lose precision). */
export function toPlainValue(v: JsonValue): unknown {
  switch (v.kind) {
    case 'null':
      return null;
    case 'bool':
    case 'string':
      return v.value;
    case 'number':
      return Number(v.text);
    case 'array':
      return v.items.map(toPlainValue);
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const m of v.members) out[m.key] = toPlainValue(m.value);
      return out;
    }
  }
}

/** Go's `quoteChar` (encoding/json scanner): the offending character as it appears in error texts. */
function quoteChar(c: string): string {
  if (c === "'") return "'\\''";
  if (c === '"') return `'"'`;
  const quoted = JSON.stringify(c);
  return `'${quoted.slice(1, -1)}'`;
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r';
}

const ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

class Reader {
  private pos = 0;

  constructor(private readonly text: string) {
    if (text.charCodeAt(0) === 0xfeff) this.pos = 1;
  }

  first(): JsonValue {
    this.skipSpace();
    return this.value();
  }

  private fail(message: string, at = this.pos): never {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < at && i < this.text.length; i++) {
      if (this.text.charCodeAt(i) === 10) {
        line++;
        lineStart = i + 1;
      }
    }
    throw new JsonSyntaxError(message, at, line, at - lineStart + 1);
  }

  private failAt(context: string): never {
    const c = this.text[this.pos];
    if (c === undefined) this.fail(END_OF_INPUT);
    this.fail(`invalid character ${quoteChar(c)} ${context}`);
  }

  private skipSpace(): void {
    while (isSpace(this.text[this.pos])) this.pos++;
  }

  private value(): JsonValue {
    const c = this.text[this.pos];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return { kind: 'string', value: this.string() };
    if (c === '-' || isDigit(c)) return this.number();
    if (c === 't') return this.literal('true', { kind: 'bool', value: true });
    if (c === 'f') return this.literal('false', { kind: 'bool', value: false });
    if (c === 'n') return this.literal('null', { kind: 'null' });
    return this.failAt('looking for beginning of value');
  }

  private object(): JsonValue {
    this.pos++; // '{'
    const members: JsonMember[] = [];
    this.skipSpace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return { kind: 'object', members };
    }
    for (;;) {
      if (this.text[this.pos] !== '"') this.failAt('looking for beginning of object key string');
      const key = this.string();
      this.skipSpace();
      if (this.text[this.pos] !== ':') this.failAt('after object key');
      this.pos++;
      this.skipSpace();
      members.push({ key, value: this.value() });
      this.skipSpace();
      const c = this.text[this.pos];
      if (c === '}') {
        this.pos++;
        return { kind: 'object', members };
      }
      if (c !== ',') this.failAt('after object key:value pair');
      this.pos++;
      this.skipSpace();
    }
  }

  private array(): JsonValue {
    this.pos++; // '['
    const items: JsonValue[] = [];
    this.skipSpace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return { kind: 'array', items };
    }
    for (;;) {
      items.push(this.value());
      this.skipSpace();
      const c = this.text[this.pos];
      if (c === ']') {
        this.pos++;
        return { kind: 'array', items };
      }
      if (c !== ',') this.failAt('after array element');
      this.pos++;
      this.skipSpace();
    }
  }

  private string(): string {
    this.pos++; // opening quote
    let out = '';
    let runStart = this.pos;
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined) this.fail(END_OF_INPUT);
      if (c === '"') {
        out += this.text.slice(runStart, this.pos);
        this.pos++;
        return out;
      }
      if (c < ' ') this.failAt('in string literal');
      if (c !== '\\') {
        this.pos++;
        continue;
      }
      out += this.text.slice(runStart, this.pos);
      this.pos++;
      const e = this.text[this.pos];
      if (e === 'u') {
        this.pos++;
        let code = 0;
        for (let i = 0; i < 4; i++) {
          const h = this.text[this.pos];
          if (h === undefined || !/[0-9a-fA-F]/.test(h)) this.failAt('in \\u hexadecimal character escape');
          code = code * 16 + parseInt(h, 16);
          this.pos++;
        }
        out += String.fromCharCode(code);
      } else {
        const decoded = e === undefined ? undefined : ESCAPES[e];
        if (decoded === undefined) this.failAt('in string escape code');
        out += decoded;
        this.pos++;
      }
      runStart = this.pos;
    }
  }

  private number(): JsonValue {
    const start = this.pos;
    if (this.text[this.pos] === '-') {
      this.pos++;
      if (!isDigit(this.text[this.pos])) this.failAt('in numeric literal');
    }
    if (this.text[this.pos] === '0') this.pos++;
    else while (isDigit(this.text[this.pos])) this.pos++;
    if (this.text[this.pos] === '.') {
      this.pos++;
      if (!isDigit(this.text[this.pos])) this.failAt('after decimal point in numeric literal');
      while (isDigit(this.text[this.pos])) this.pos++;
    }
    const e = this.text[this.pos];
    if (e === 'e' || e === 'E') {
      this.pos++;
      const sign = this.text[this.pos];
      if (sign === '+' || sign === '-') this.pos++;
      if (!isDigit(this.text[this.pos])) this.failAt('in exponent of numeric literal');
      while (isDigit(this.text[this.pos])) this.pos++;
    }
    return { kind: 'number', text: this.text.slice(start, this.pos) };
  }

  private literal(word: string, value: JsonValue): JsonValue {
    for (let i = 0; i < word.length; i++) {
      const c = this.text[this.pos];
      if (c === undefined) this.fail(END_OF_INPUT);
      if (c !== word[i]) this.failAt(`in literal ${word} (expecting ${quoteChar(word[i] as string)})`);
      this.pos++;
    }
    return value;
  }
}
