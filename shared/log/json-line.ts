/**
 * The fast way to a JSON log line (PROTOCOL.md §11.6): the line is built with its keys already
 * sorted, so it skips pino's serializer and the re-sorting hook (`sorted-json.ts`). Same text as
 * pino's path, byte for byte (json-line.test.ts compares them). Used by `activity` / `logError`
 * (shapes.ts) and the logger sink; lines written by calling pino directly keep the hook.
 */
import type pino from 'pino';
import { outputLevelName } from './levels';
import { rfc3339 } from './time';

/** What createLogger records about each JSON logger it makes: where it writes, and its base fields. */
export interface JsonLineFormat {
  destination: pino.DestinationStream;
  /** The base fields (`context`, `pid`, …) as sorted members: key → JSON text. */
  base: ReadonlyArray<readonly [string, string]>;
}

const formats = new WeakMap<object, JsonLineFormat>();

export function registerJsonLineFormat(logger: object, format: JsonLineFormat): void {
  formats.set(logger, format);
}

/** The format of a JSON logger made by createLogger; undefined for logfmt loggers and child loggers. */
export function jsonLineFormat(logger: object): JsonLineFormat | undefined {
  return formats.get(logger);
}

/**
 * The JSON text of `value` with object keys sorted at every depth, the way the slow path writes it:
 * `undefined` members and functions left out, non-finite numbers as `null`, bigints as their digits
 * (int64 stays exact). Undefined when the value itself has no JSON text.
 */
export function sortedJsonText(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return primitiveJsonText(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + (sortedJsonText(value[i]) ?? 'null');
    return out + ']';
  }
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return sortedJsonText((toJSON as () => unknown).call(value));
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const text = sortedJsonText(record[key]);
    if (text === undefined) continue;
    out += (first ? '' : ',') + JSON.stringify(key) + ':' + text;
    first = false;
  }
  return out + '}';
}

/** sortedJsonText of anything but an object: null, strings, numbers, booleans, bigints; else undefined. */
export function primitiveJsonText(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    case 'object':
      return value === null ? 'null' : undefined;
    default:
      return undefined;
  }
}

/** The same text for one millisecond: many lines share it under load. */
let lastMs = -1;
let lastTime = '';
function timeText(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastTime = JSON.stringify(rfc3339(new Date(now)));
  }
  return lastTime;
}

/** A line's own field: key, and the value's JSON text (from sortedJsonText, or equal to it). */
export type JsonMember = readonly [key: string, text: string];

/**
 * One newline-terminated JSON line: the base fields, `level`, `msg`, `time` and `fields` merged with
 * keys sorted (a field named like a base field replaces it, as in pino). The caller has checked the
 * level is enabled.
 */
export function jsonLine(format: JsonLineFormat, level: pino.Level, msg: string, fields: Readonly<Record<string, unknown>>): string {
  const members: JsonMember[] = [];
  for (const key of Object.keys(fields)) {
    const text = sortedJsonText(fields[key]);
    if (text !== undefined) members.push([key, text]);
  }
  return jsonLineOfMembers(format, level, msg, members);
}

/** jsonLine for fields whose JSON text the caller made (e.g. with the native JSON.stringify). */
export function jsonLineOfMembers(format: JsonLineFormat, level: pino.Level, msg: string, fields: readonly JsonMember[]): string {
  const members: JsonMember[] = [];
  for (const member of format.base) if (!fields.some((f) => f[0] === member[0])) members.push(member);
  members.push(['level', JSON.stringify(outputLevelName(level))], ['msg', JSON.stringify(msg)], ['time', timeText()]);
  for (const field of fields) if (field[0] !== 'level' && field[0] !== 'msg' && field[0] !== 'time') members.push(field);
  members.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  let out = '{';
  for (let i = 0; i < members.length; i++) {
    const [key, text] = members[i] as JsonMember;
    out += (i === 0 ? '' : ',') + JSON.stringify(key) + ':' + text;
  }
  return out + '}\n';
}
