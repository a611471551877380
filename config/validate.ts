/** convict validation of the decoded values. Values arrive already typed and stripped of unknown
 * keys (decode.ts), so convict only runs the formats (ranges, enums, custom checks). Its own env and
 * argv import is switched off: env.ts does that with strict parsing, and argv belongs to cli.ts. */
import convict from 'convict';
import { ConfigError } from './errors';
import { asLeaf, isGroup, type SchemaGroup } from './schema-tree';

function instance(schema: SchemaGroup): convict.Config<Record<string, unknown>> {
  return convict<Record<string, unknown>>(schema as convict.Schema<Record<string, unknown>>, { env: {}, args: [] });
}

/** Loads `values` over the schema's defaults, validates, and returns the full property tree. */
export function validateWithConvict(schema: SchemaGroup, values: Record<string, unknown>): Record<string, unknown> {
  const config = instance(schema);
  config.load(values);
  try {
    // Unknown keys were dropped by the decoder; 'warn' keeps convict from failing on them anyway.
    config.validate({ allowed: 'warn', output: () => undefined });
  } catch (e) {
    throw fromConvictError(e, '');
  }
  return config.getProperties();
}

/** The defaults of a schema (a sink block that is absent from the file). */
export function schemaDefaults(schema: SchemaGroup): Record<string, unknown> {
  return instance(schema).getProperties();
}

/** An open block (§10.1) cannot go through convict whole: its keys contain dots (`bootstrap.servers`),
 * which convict reads as paths. Each declared leaf is validated on its own; a declared default is
 * filled in when the key is absent and the default is not null. */
export function validateOpenBlock(declared: SchemaGroup, block: Record<string, unknown>, blockKey: string): Record<string, unknown> {
  const out: Record<string, unknown> = { ...block };
  for (const [key, node] of Object.entries(declared)) {
    if (isGroup(node)) continue;
    const leaf = asLeaf(node);
    if (!Object.prototype.hasOwnProperty.call(out, key)) {
      if (leaf.default !== null && leaf.default !== undefined) out[key] = structuredClone(leaf.default);
      continue;
    }
    const single = instance({ value: leaf });
    single.load({ value: out[key] });
    try {
      single.validate({ allowed: 'warn', output: () => undefined });
    } catch (e) {
      throw fromConvictError(e, `${blockKey}.${key}`);
    }
  }
  return out;
}

/** convict reports `<full.name>: <message>[: value was <json>]`, one line per bad key; the first
 * line becomes the error, naming the key. `forcedKey` replaces convict's name when set. */
function fromConvictError(e: unknown, forcedKey: string): ConfigError {
  const text = e instanceof Error ? e.message : String(e);
  const first = text.split('\n')[0] ?? text;
  const sep = first.indexOf(': ');
  const key = forcedKey !== '' ? forcedKey : sep > 0 ? first.slice(0, sep) : '';
  const detail = (sep > 0 ? first.slice(sep + 2) : first).trim();
  return new ConfigError('CONFIG_INVALID_VALUE', key === '' ? `config: ${detail}` : `config key "${key}": ${detail}`, key || undefined, e);
}
