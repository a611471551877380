/** Walking a convict schema the way convict itself reads it: a node is a group of keys when it is a
 * non-empty plain object without `default`; anything else is a property (a bare value is shorthand for
 * `{default: value}`). Sinks pass their blocks as convict schemas, so config/ has to read them. */

export type SchemaGroup = Readonly<Record<string, unknown>>;
export type SchemaLeaf = Readonly<Record<string, unknown>> & { readonly default: unknown };

export function isPlainObject(node: unknown): node is Readonly<Record<string, unknown>> {
  return typeof node === 'object' && node !== null && !Array.isArray(node);
}

export function isGroup(node: unknown): node is SchemaGroup {
  return isPlainObject(node) && Object.keys(node).length > 0 && !('default' in node);
}

export function asLeaf(node: unknown): SchemaLeaf {
  if (isPlainObject(node) && 'default' in node) return node as SchemaLeaf;
  return { default: node };
}

/** Go `encoding/json` matches a key to a field exactly first, else case-insensitively
 * (PROTOCOL.md §12.1). Go's folding also maps U+017F (long s) to `s` and U+212A (Kelvin) to `k`;
 * toLowerCase already handles the Kelvin sign. */
export function foldKey(key: string): string {
  return key.replace(/\u017f/g, 's').toLowerCase();
}

export function findSchemaKey(group: SchemaGroup, key: string): string | undefined {
  if (Object.prototype.hasOwnProperty.call(group, key)) return key;
  const folded = foldKey(key);
  for (const candidate of Object.keys(group)) {
    if (foldKey(candidate) === folded) return candidate;
  }
  return undefined;
}

/** Calls `visit` for every property below `group` with its dot path. */
export function forEachLeaf(
  group: SchemaGroup,
  visit: (path: readonly string[], leaf: SchemaLeaf) => void,
  prefix: readonly string[] = [],
): void {
  for (const [key, node] of Object.entries(group)) {
    const path = [...prefix, key];
    if (isGroup(node)) forEachLeaf(node, visit, path);
    else visit(path, asLeaf(node));
  }
}
