/** Decoding the JSON tree into schema-keyed values with Go `encoding/json` semantics (PROTOCOL.md
 * §12.1): keys match case-insensitively, unknown keys are ignored, `null` leaves a value unchanged,
 * the last of duplicate keys wins, and a value of the wrong type aborts with an error naming the key. */
import { ConfigError } from './errors';
import { describeGoType, goTypeOfLeaf, zeroValue, type GoType } from './go-types';
import { toPlainValue, type JsonValue } from './json-reader';
import { asLeaf, findSchemaKey, isGroup, type SchemaGroup } from './schema-tree';

export interface DecodeResult {
  /** Values keyed by the schema's spelling of each key; absent keys are absent here. */
  readonly values: Record<string, unknown>;
  /** Dot paths of the groups (blocks) that appeared in the file with a non-null value. */
  readonly present: Set<string>;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** A top-level block declared by a sink. `open`: the whole object passes through (kafka: librdkafka
 * properties, §10.1) and `schema` only declares the keys to type-check. */
export interface BlockSchema {
  readonly schema: SchemaGroup;
  readonly open: boolean;
}

/** `schema` holds the base keys; `blocks` the sink blocks (top-level keys too). */
export function decodeConfig(root: JsonValue, schema: SchemaGroup, blocks: ReadonlyMap<string, BlockSchema>): DecodeResult {
  const result: DecodeResult = { values: {}, present: new Set() };
  if (root.kind === 'null') return result; // Go: decoding `null` leaves the whole config at its zero value
  if (root.kind !== 'object') {
    throw new ConfigError('CONFIG_TYPE', `config: expected a JSON object at the top level, got ${render(root)}`);
  }
  const top: Record<string, unknown> = { ...schema };
  for (const key of blocks.keys()) top[key] = {};
  decodeGroup(root, top, [], result, blocks);
  return result;
}

function decodeGroup(
  obj: Extract<JsonValue, { kind: 'object' }>,
  group: SchemaGroup,
  path: readonly string[],
  result: DecodeResult,
  blocks: ReadonlyMap<string, BlockSchema>,
): void {
  const out = nestedObject(result.values, path);
  for (const member of obj.members) {
    const key = findSchemaKey(group, member.key);
    if (key === undefined) continue; // unknown keys are ignored (§12.1), silently
    const value = member.value;
    if (value.kind === 'null') continue; // Go leaves the field as it was
    const keyPath = [...path, key];
    const name = keyPath.join('.');
    const block = path.length === 0 ? blocks.get(key) : undefined;
    const node = block === undefined ? group[key] : block.schema;
    if (block !== undefined || isGroup(node)) {
      if (value.kind !== 'object') throw typeError(name, 'an object', value);
      result.present.add(name);
      const target = nestedObject(result.values, keyPath);
      if (block?.open === true) {
        for (const [k, v] of Object.entries(decodeOpenBlock(value, block.schema, name))) setOwn(target, k, v);
      } else if (isGroup(node)) decodeGroup(value, node, keyPath, result, blocks);
      continue;
    }
    out[key] = decodeValue(value, goTypeOfLeaf(asLeaf(node)), name);
  }
}

/** §10.1: every JSON number of the block becomes an integer by truncation; strings and booleans pass
 * unchanged; keys are kept exactly (librdkafka property names are case-sensitive). Declared keys are
 * type-checked after truncation. */
function decodeOpenBlock(obj: Extract<JsonValue, { kind: 'object' }>, declared: SchemaGroup, name: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key, value } of obj.members) {
    const truncated: JsonValue = value.kind === 'number' ? { kind: 'number', text: truncateNumberText(value.text) } : value;
    const node = Object.prototype.hasOwnProperty.call(declared, key) ? declared[key] : undefined;
    if (node === undefined || isGroup(node)) {
      setOwn(out, key, toPlainValue(truncated));
    } else if (truncated.kind !== 'null') {
      setOwn(out, key, decodeValue(truncated, goTypeOfLeaf(asLeaf(node)), `${name}.${key}`));
    }
  }
  return out;
}

function truncateNumberText(text: string): string {
  if (/^-?\d+$/.test(text)) return text;
  const n = Math.trunc(Number(text));
  return Object.is(n, -0) ? '0' : String(n);
}

/** Decodes one value as Go type `t`; `name` is the key path used in error texts. */
export function decodeValue(value: JsonValue, t: GoType, name: string): unknown {
  switch (t.kind) {
    case 'any':
      return toPlainValue(value);
    case 'int':
      if (value.kind !== 'number' || !/^-?\d+$/.test(value.text)) throw typeError(name, describeGoType(t), value);
      if (BigInt(value.text) < INT64_MIN || BigInt(value.text) > INT64_MAX) {
        throw new ConfigError('CONFIG_TYPE', `config key "${name}": integer ${value.text} is out of range`, name);
      }
      return Number(value.text);
    case 'float': {
      if (value.kind !== 'number') throw typeError(name, describeGoType(t), value);
      const n = Number(value.text);
      if (!Number.isFinite(n)) throw new ConfigError('CONFIG_TYPE', `config key "${name}": number ${value.text} is out of range`, name);
      return n;
    }
    case 'bool':
      if (value.kind !== 'bool') throw typeError(name, describeGoType(t), value);
      return value.value;
    case 'string':
      if (value.kind !== 'string') throw typeError(name, describeGoType(t), value);
      return value.value;
    case 'array':
      if (value.kind !== 'array') throw typeError(name, describeGoType(t), value);
      return value.items.map((item, i) => (item.kind === 'null' ? zeroValue(t.of) : decodeValue(item, t.of, `${name}[${i}]`)));
    case 'map': {
      if (value.kind !== 'object') throw typeError(name, describeGoType(t), value);
      const out: Record<string, unknown> = {};
      for (const m of value.members) {
        setOwn(out, m.key, m.value.kind === 'null' ? zeroValue(t.of) : decodeValue(m.value, t.of, `${name}.${m.key}`));
      }
      return out;
    }
  }
}

function typeError(name: string, expected: string, got: JsonValue): ConfigError {
  return new ConfigError('CONFIG_TYPE', `config key "${name}": expected ${expected}, got ${render(got)}`, name);
}

/** How a bad value is shown: strings quoted, literals as written, containers by kind. */
export function render(v: JsonValue): string {
  switch (v.kind) {
    case 'null':
      return 'null';
    case 'bool':
      return String(v.value);
    case 'number':
      return v.text;
    case 'string': {
      const s = JSON.stringify(v.value);
      return s.length > 80 ? `${s.slice(0, 77)}…"` : s;
    }
    case 'array':
      return 'an array';
    case 'object':
      return 'an object';
  }
}

/** Map keys come from the file: define them as own properties so `__proto__` stays a plain key. */
function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
}

/** The object at `path` below `root`, created when missing. */
export function nestedObject(root: Record<string, unknown>, path: readonly string[]): Record<string, unknown> {
  let node = root;
  for (const key of path) {
    const next = node[key];
    if (typeof next === 'object' && next !== null && !Array.isArray(next)) {
      node = next as Record<string, unknown>;
    } else {
      const created: Record<string, unknown> = {};
      node[key] = created;
      node = created;
    }
  }
  return node;
}
