/** Keys a config may carry that have no effect (upstream's README still shows some of them, and
 * upstream ignores them silently, PROTOCOL.md §12.2): each one found becomes a startup warning that
 * says what to write instead, so nobody believes e.g. `"reliable_ack": true` made acks reliable. */
import type { JsonValue } from './json-reader';
import { foldKey } from './schema-tree';
import type { SinkConfigBlock, StartupWarning } from './types';

/** Dot path → what replaces it (or why it does nothing). Sinks declare their own (SinkConfigBlock). */
const GATEWAY_UNUSED_KEYS: Readonly<Record<string, string>> = {
  reliable_ack:
    'no effect: an ACK waits for delivery only for the record types listed in reliable_ack_sources (record type → dispatcher, e.g. {"V": "kafka"})',
  'monitoring.statsd.sample_rate': 'no effect: every metric is sent, unsampled',
};

export const UNUSED_KEY_WARNING = 'config_key_unused';

/** One warning per unused key present (with a non-null value) in the file, in the order above. */
export function unusedKeyWarnings(tree: JsonValue, sinkBlocks: readonly SinkConfigBlock[]): StartupWarning[] {
  const table: Array<[string, string]> = Object.entries(GATEWAY_UNUSED_KEYS);
  for (const block of sinkBlocks)
    for (const [key, replacement] of Object.entries(block.unusedKeys ?? {})) table.push([`${block.key}.${key}`, replacement]);
  const warnings: StartupWarning[] = [];
  for (const [path, replacement] of table) {
    if (find(tree, path.split('.')) === undefined) continue;
    warnings.push({ msg: UNUSED_KEY_WARNING, error: `config key "${path}" has ${replacement}`, fields: { key: path } });
  }
  return warnings;
}

/** Go matches keys case-insensitively (§12.1), so `"Reliable_Ack"` counts too. */
function find(node: JsonValue, path: readonly string[]): JsonValue | undefined {
  let current: JsonValue | undefined = node;
  for (const key of path) {
    if (current?.kind !== 'object') return undefined;
    const folded = foldKey(key);
    let found: JsonValue | undefined;
    for (const member of current.members) if (foldKey(member.key) === folded) found = member.value; // the last one wins, as in Go
    current = found;
  }
  return current === undefined || current.kind === 'null' ? undefined : current;
}
