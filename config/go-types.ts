/** The Go type a config leaf is decoded as (PROTOCOL.md §12.1: type errors abort startup, integer
 * fields reject fractions). A schema leaf may state it with the extra property `goType` (e.g.
 * `goType: 'map[string][]string'`); otherwise it is inferred from the convict `format` and `default`. */

export type GoType =
  | { readonly kind: 'int' }
  | { readonly kind: 'float' }
  | { readonly kind: 'bool' }
  | { readonly kind: 'string' }
  | { readonly kind: 'any' }
  | { readonly kind: 'array'; readonly of: GoType }
  | { readonly kind: 'map'; readonly of: GoType };

const INT: GoType = { kind: 'int' };
const FLOAT: GoType = { kind: 'float' };
const BOOL: GoType = { kind: 'bool' };
const STRING: GoType = { kind: 'string' };
const ANY: GoType = { kind: 'any' };

/** Parses Go type notation: int, int64, uint16, float64, bool, string, interface{}, any, []T, map[string]T. */
export function parseGoType(text: string): GoType {
  const t = text.trim();
  if (t.startsWith('[]')) return { kind: 'array', of: parseGoType(t.slice(2)) };
  if (t.startsWith('map[string]')) return { kind: 'map', of: parseGoType(t.slice('map[string]'.length)) };
  if (/^u?int(8|16|32|64)?$/.test(t)) return INT;
  if (t === 'float64' || t === 'float32') return FLOAT;
  if (t === 'bool') return BOOL;
  if (t === 'string') return STRING;
  if (t === 'interface{}' || t === 'any') return ANY;
  throw new Error(`unsupported goType ${JSON.stringify(text)}`);
}

const INT_FORMATS = new Set(['int', 'integer', 'nat', 'port']);

function nameOf(format: unknown): string | undefined {
  if (typeof format === 'string') return format;
  if (format === Number || format === Boolean || format === String || format === Array || format === Object) {
    return (format as { name: string }).name;
  }
  return undefined;
}

/** Infers the Go type of a convict leaf; `leaf` is the property object (`{default, format, …}`). */
export function goTypeOfLeaf(leaf: Readonly<Record<string, unknown>>): GoType {
  if (typeof leaf.goType === 'string') return parseGoType(leaf.goType);
  const format = leaf.format;
  const name = nameOf(format);
  if (name !== undefined) {
    if (INT_FORMATS.has(name)) return INT;
    switch (name.toLowerCase()) {
      case 'number':
        return FLOAT;
      case 'boolean':
        return BOOL;
      case 'string':
        return STRING;
      case 'array':
        return { kind: 'array', of: ANY };
      case 'object':
        return { kind: 'map', of: ANY };
    }
  }
  if (Array.isArray(format)) return enumType(format);
  return goTypeOfValue(leaf.default);
}

/** An enum format takes the type of its members when they agree. */
function enumType(values: readonly unknown[]): GoType {
  if (values.length > 0 && values.every((v) => typeof v === 'string')) return STRING;
  if (values.length > 0 && values.every((v) => typeof v === 'boolean')) return BOOL;
  if (values.length > 0 && values.every((v) => typeof v === 'number')) {
    return values.every((v) => Number.isInteger(v)) ? INT : FLOAT;
  }
  return ANY;
}

/** A bare default says little: a number may be a float, so only the JSON kind is enforced. */
export function goTypeOfValue(value: unknown): GoType {
  if (typeof value === 'boolean') return BOOL;
  if (typeof value === 'number') return FLOAT;
  if (typeof value === 'string') return STRING;
  if (Array.isArray(value)) return { kind: 'array', of: ANY };
  if (typeof value === 'object' && value !== null) return { kind: 'map', of: ANY };
  return ANY;
}

/** Words for error texts: `expected an integer, got "abc"`. */
export function describeGoType(t: GoType): string {
  switch (t.kind) {
    case 'int':
      return 'an integer';
    case 'float':
      return 'a number';
    case 'bool':
      return 'a boolean';
    case 'string':
      return 'a string';
    case 'any':
      return 'any value';
    case 'array':
      return t.of.kind === 'any' ? 'an array' : `an array of ${plural(t.of)}`;
    case 'map':
      return t.of.kind === 'any' ? 'an object' : `an object of ${plural(t.of)}`;
  }
}

function plural(t: GoType): string {
  switch (t.kind) {
    case 'int':
      return 'integers';
    case 'float':
      return 'numbers';
    case 'bool':
      return 'booleans';
    case 'string':
      return 'strings';
    case 'array':
      return 'arrays';
    case 'map':
      return 'objects';
    case 'any':
      return 'values';
  }
}

/** The value Go stores for a JSON `null` inside an array or map (the element type's zero value). */
export function zeroValue(t: GoType): unknown {
  switch (t.kind) {
    case 'int':
    case 'float':
      return 0;
    case 'bool':
      return false;
    case 'string':
      return '';
    case 'array':
      return [];
    case 'map':
      return {};
    case 'any':
      return null;
  }
}
