/** Key order for log lines (PROTOCOL.md §11.6: "keys sorted alphabetically"). pino writes fields in
 * call order, so each emitted line is re-ordered here, in one pass over pino's compact JSON text.
 * Value text is copied as written (no parse / re-stringify), so int64 numbers and float formatting stay
 * exact. Only lines that pass the level check reach this code. */

/** One object member: decoded key, key as JSON text, value as JSON text (nested objects sorted). */
export type Member = readonly [key: string, rawKey: string, value: string];

const QUOTE = 34; // "
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

function byKey(a: Member, b: Member): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

class Scanner {
  private pos = 0;

  constructor(private readonly s: string) {}

  /** Members of the object starting at the current position, sorted by key, last duplicate kept
   * (what JSON.parse would keep, and a Go map cannot hold two). */
  members(): Member[] {
    this.skipSpace();
    this.expect(OPEN_BRACE);
    const out: Member[] = [];
    this.skipSpace();
    if (this.s.charCodeAt(this.pos) === CLOSE_BRACE) {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      const rawKey = this.string();
      const key = rawKey.indexOf('\\') < 0 ? rawKey.slice(1, -1) : (JSON.parse(rawKey) as string);
      this.skipSpace();
      this.expect(COLON);
      out.push([key, rawKey, this.value()]);
      this.skipSpace();
      const c = this.s.charCodeAt(this.pos++);
      if (c === CLOSE_BRACE) break;
      if (c !== COMMA) throw new Error('malformed object');
    }
    if (out.length < 2) return out;
    out.sort(byKey); // stable: duplicates keep their order, so the last of a run is the last written
    let kept = 0;
    for (let i = 0; i < out.length; i++) {
      const next = out[i + 1];
      if (next === undefined || next[0] !== (out[i] as Member)[0]) out[kept++] = out[i] as Member;
    }
    out.length = kept;
    return out;
  }

  private value(): string {
    this.skipSpace();
    const c = this.s.charCodeAt(this.pos);
    if (c === OPEN_BRACE) return objectText(this.members());
    if (c === OPEN_BRACKET) return this.array();
    if (c === QUOTE) return this.string();
    const start = this.pos;
    for (;;) {
      const d = this.s.charCodeAt(this.pos);
      if (Number.isNaN(d) || d === COMMA || d === CLOSE_BRACE || d === CLOSE_BRACKET || isSpace(d)) break;
      this.pos++;
    }
    if (this.pos === start) throw new Error('malformed value');
    return this.s.slice(start, this.pos);
  }

  private array(): string {
    this.pos++;
    const items: string[] = [];
    this.skipSpace();
    if (this.s.charCodeAt(this.pos) === CLOSE_BRACKET) {
      this.pos++;
      return '[]';
    }
    for (;;) {
      items.push(this.value());
      this.skipSpace();
      const c = this.s.charCodeAt(this.pos++);
      if (c === CLOSE_BRACKET) return `[${items.join(',')}]`;
      if (c !== COMMA) throw new Error('malformed array');
    }
  }

  private string(): string {
    const start = this.pos;
    this.expect(QUOTE);
    for (;;) {
      // Jump quote to quote (indexOf is native); a quote preceded by an odd run of backslashes is escaped.
      const end = this.s.indexOf('"', this.pos);
      if (end < 0) throw new Error('unterminated string');
      let backslashes = 0;
      while (this.s.charCodeAt(end - 1 - backslashes) === BACKSLASH) backslashes++;
      this.pos = end + 1;
      if (backslashes % 2 === 0) return this.s.slice(start, this.pos);
    }
  }

  private expect(code: number): void {
    if (this.s.charCodeAt(this.pos) !== code) throw new Error(`expected ${String.fromCharCode(code)}`);
    this.pos++;
  }

  private skipSpace(): void {
    while (isSpace(this.s.charCodeAt(this.pos))) this.pos++;
  }
}

export function objectText(members: readonly Member[]): string {
  let out = '{';
  for (let i = 0; i < members.length; i++) {
    const m = members[i] as Member;
    out += (i === 0 ? '' : ',') + m[1] + ':' + m[2];
  }
  return out + '}';
}

/** Sorted members of the JSON object text `line` (a pino line); throws on malformed text. */
export function sortedMembers(line: string): Member[] {
  return new Scanner(line).members();
}

/** The JSON object text with keys sorted at every depth, compact, newline-terminated. Text that is not
 * a JSON object is returned unchanged rather than lost. */
export function sortJsonLine(line: string): string {
  try {
    return objectText(sortedMembers(line)) + '\n';
  } catch {
    return line;
  }
}
