/** Environment variables. A schema leaf names its variable with convict's `env` property; config/
 * applies it itself (convict's own import turns any string but "false" into `true` and `"12abc"` into
 * 12) with strict parsing and an error naming the variable. An empty variable counts as unset unless
 * the leaf sets `envAllowEmpty: true` (upstream's `AIRBRAKE_PROJECT_KEY` overrides "when set",
 * PROTOCOL.md §11.7). Variables override values; they never make an absent block present. */
import { nestedObject } from './decode';
import { ConfigError } from './errors';
import { describeGoType, goTypeOfLeaf, type GoType } from './go-types';
import { forEachLeaf, type SchemaGroup } from './schema-tree';

/** Go `strconv.ParseBool`, the parser upstream uses for its boolean variables (§12.4). */
export function parseGoBool(text: string): boolean | undefined {
  switch (text) {
    case '1':
    case 't':
    case 'T':
    case 'TRUE':
    case 'true':
    case 'True':
      return true;
    case '0':
    case 'f':
    case 'F':
    case 'FALSE':
    case 'false':
    case 'False':
      return false;
    default:
      return undefined;
  }
}

export const SUPPRESS_TLS_HANDSHAKE_ERROR_LOGGING = 'SUPPRESS_TLS_HANDSHAKE_ERROR_LOGGING';

/** §12.4: unset ⇒ false; set to anything ParseBool rejects, the empty string included ⇒ startup error. */
export function readSuppressTlsHandshakeErrorLogging(env: NodeJS.ProcessEnv): boolean {
  const raw = env[SUPPRESS_TLS_HANDSHAKE_ERROR_LOGGING];
  if (raw === undefined) return false;
  const parsed = parseGoBool(raw);
  if (parsed === undefined) {
    throw new ConfigError(
      'CONFIG_ENV',
      `environment variable ${SUPPRESS_TLS_HANDSHAKE_ERROR_LOGGING}: expected a boolean (1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False), got ${JSON.stringify(raw)}`,
      SUPPRESS_TLS_HANDSHAKE_ERROR_LOGGING,
    );
  }
  return parsed;
}

/** Parses one variable as Go type `t`. Arrays: a JSON array, or comma-separated strings. */
export function parseEnvValue(raw: string, t: GoType, variable: string): unknown {
  const fail = (): never => {
    throw new ConfigError(
      'CONFIG_ENV',
      `environment variable ${variable}: expected ${describeGoType(t)}, got ${JSON.stringify(raw)}`,
      variable,
    );
  };
  switch (t.kind) {
    case 'string':
    case 'any':
      return raw;
    case 'bool': {
      const b = parseGoBool(raw.trim());
      return b === undefined ? fail() : b;
    }
    case 'int':
      if (!/^[+-]?\d+$/.test(raw.trim())) fail();
      return Number(raw.trim());
    case 'float': {
      const n = raw.trim() === '' ? NaN : Number(raw.trim());
      return Number.isFinite(n) ? n : fail();
    }
    case 'array':
    case 'map': {
      const trimmed = raw.trim();
      if (t.kind === 'array' && !trimmed.startsWith('[')) {
        return trimmed.split(',').map((part) => parseEnvValue(part.trim(), t.of, variable));
      }
      try {
        const parsed: unknown = JSON.parse(trimmed);
        const ok = t.kind === 'array' ? Array.isArray(parsed) : typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
        return ok ? parsed : fail();
      } catch (e) {
        if (e instanceof ConfigError) throw e;
        return fail();
      }
    }
  }
}

/** Applies the `env` of every leaf of `schema` onto `values` (which is keyed like `schema`). */
export function applyEnvOverrides(
  schema: SchemaGroup,
  values: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  prefix: readonly string[] = [],
): void {
  forEachLeaf(
    schema,
    (path, leaf) => {
      const variable = leaf.env;
      if (typeof variable !== 'string') return;
      const raw = env[variable];
      if (raw === undefined || (raw === '' && leaf.envAllowEmpty !== true)) return;
      const parent = nestedObject(values, path.slice(0, -1));
      parent[path[path.length - 1] as string] = parseEnvValue(raw, goTypeOfLeaf(leaf), variable);
    },
    prefix,
  );
}

/** Every variable a schema reads, with the key it sets (for docs and `--help`). */
export function listEnvVariables(schema: SchemaGroup): Array<{ variable: string; key: string }> {
  const out: Array<{ variable: string; key: string }> = [];
  forEachLeaf(schema, (path, leaf) => {
    if (typeof leaf.env === 'string') out.push({ variable: leaf.env, key: path.join('.') });
  });
  return out;
}
