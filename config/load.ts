/** loadConfig: file → JSON tree → Go-style decode → env overrides → convict validation → startup
 * checks → frozen GatewayConfig. The sink blocks come from the sinks (ARCHITECTURE.md: config/ only
 * composes and validates, and never names a sink). */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import {
  checkDispatchRules,
  checkReliableAckSources,
  checkSinkBlocks,
  checkTls,
  checkTrackedVins,
  resolveLogLevel,
  resolveRateLimit,
  usedDispatchers,
} from './checks';
import { decodeConfig, type BlockSchema } from './decode';
import { applyEnvOverrides, readSuppressTlsHandshakeErrorLogging } from './env';
import { ConfigError } from './errors';
import { fromPlainValue, JsonSyntaxError, readFirstJsonValue, type JsonValue } from './json-reader';
import { baseSchema, type BaseConfigProperties } from './schema';
import { isGroup, type SchemaGroup } from './schema-tree';
import { unusedKeyWarnings } from './unused-keys';
import { checkVinAllowlist } from './vin-allowlist';
import { checkTrustedProxy } from './trusted-proxy';
import type { GatewayConfig, SinkConfigBlock, StartupWarning } from './types';
import { schemaDefaults, validateOpenBlock, validateWithConvict } from './validate';

export interface LoadConfigOptions {
  /** Config file (PROTOCOL.md §12.1); ignored when `json` is given. */
  path?: string;
  /** An already parsed config value instead of a file. */
  json?: unknown;
  /** Defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** The sinks' blocks, in upstream's creation order (§12.3 step 3). */
  sinkBlocks: readonly SinkConfigBlock[];
  /** Every dispatcher name `records` may use (D8). */
  knownSinks: readonly string[];
}

export function loadConfig(options: LoadConfigOptions): GatewayConfig {
  const env = options.env ?? process.env;
  const suppressTlsHandshakeErrorLogging = readSuppressTlsHandshakeErrorLogging(env);
  const { tree, source } = readSource(options);

  const blocks = blockSchemas(options.sinkBlocks);
  const decoded = decodeConfig(tree, baseSchema as SchemaGroup, blocks);
  const present = decoded.present;

  applyEnvOverrides(baseSchema as SchemaGroup, decoded.values, env);
  for (const [key, block] of blocks) {
    // A sink's variables refine its block; they do not configure an absent one (e.g. REDIS_PASSWORD).
    if (present.has(key)) applyEnvOverrides(block.schema, decoded.values, env, [key]);
  }

  // convict sees the base keys and the present, nested sink blocks; open blocks are checked per key.
  const validationSchema: Record<string, unknown> = { ...baseSchema };
  const convictValues: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(decoded.values)) {
    const block = blocks.get(key);
    if (block === undefined || (!block.open && isGroup(block.schema))) convictValues[key] = value;
    if (block !== undefined && !block.open && isGroup(block.schema)) validationSchema[key] = block.schema;
  }
  const properties = validateWithConvict(validationSchema, convictValues);
  const base = properties as unknown as BaseConfigProperties;

  const sinks: Record<string, unknown> = {};
  for (const [key, block] of blocks) sinks[key] = sinkValue(key, block, present.has(key), properties, decoded.values);

  // Startup checks in upstream's order: config decoding (§12.1), producers (§12.3), TLS (§2.2).
  const warnings: StartupWarning[] = unusedKeyWarnings(tree, options.sinkBlocks);
  const vins = checkTrackedVins(base.vins_signal_tracking_enabled);
  const { level, warning } = resolveLogLevel(base.log_level);
  if (warning !== undefined) warnings.push(warning);
  const rateLimit = resolveRateLimit(base.rate_limit);
  const reliableAckBySink = checkReliableAckSources(base.reliable_ack_sources, base.records);
  const usedSinks = usedDispatchers(base.records);
  checkSinkBlocks(usedSinks, options.sinkBlocks, present);
  checkDispatchRules(base.records, options.knownSinks);
  checkTls(present.has('tls'), base.tls, base.use_default_eng_ca);
  checkVinAllowlist(base.vin_allowlist);
  const trustedProxy = checkTrustedProxy(base.trusted_proxy, base.port) ?? null;

  const config: GatewayConfig = {
    host: base.host,
    port: base.port,
    status_port: base.status_port,
    tls: base.tls,
    use_default_eng_ca: base.use_default_eng_ca,
    namespace: base.namespace,
    log_level: base.log_level,
    json_log_enable: base.json_log_enable,
    transmit_decoded_records: base.transmit_decoded_records,
    records: base.records,
    reliable_ack_sources: base.reliable_ack_sources,
    rate_limit: base.rate_limit,
    vins_signal_tracking_enabled: vins,
    vin_allowlist: base.vin_allowlist,
    connectivity: base.connectivity,
    trusted_proxy: trustedProxy,
    // §11.1: metrics and runtime gauges depend on whether these blocks exist at all.
    monitoring: present.has('monitoring')
      ? { ...base.monitoring, statsd: present.has('monitoring.statsd') ? base.monitoring.statsd : null }
      : null,
    airbrake: present.has('airbrake') ? base.airbrake : null,
    gateway: base.gateway,
    sinks,
    configuredSinks: options.sinkBlocks.map((b) => b.key).filter((key) => present.has(key)),
    usedSinks,
    reliableAckBySink,
    logLevel: level,
    rateLimit,
    workerCount: base.gateway.workers > 0 ? base.gateway.workers : availableParallelism(),
    suppressTlsHandshakeErrorLogging,
    warnings,
    source,
  };
  return deepFreeze(config);
}

function blockSchemas(sinkBlocks: readonly SinkConfigBlock[]): Map<string, BlockSchema> {
  const blocks = new Map<string, BlockSchema>();
  for (const block of sinkBlocks) {
    // Programming errors of the sink registry, not config errors.
    if (Object.prototype.hasOwnProperty.call(baseSchema, block.key))
      throw new Error(`sink block "${block.key}" collides with a gateway config key`);
    if (blocks.has(block.key)) throw new Error(`sink block "${block.key}" is declared twice`);
    blocks.set(block.key, { schema: block.schema as SchemaGroup, open: block.openProperties === true });
  }
  return blocks;
}

/** A configured block as validated; an absent one as its schema's defaults. */
function sinkValue(
  key: string,
  block: BlockSchema,
  isPresent: boolean,
  validated: Record<string, unknown>,
  decoded: Record<string, unknown>,
): unknown {
  if (block.open) return validateOpenBlock(block.schema, isPresent ? (decoded[key] as Record<string, unknown>) : {}, key);
  if (!isGroup(block.schema)) return {};
  return isPresent ? validated[key] : schemaDefaults(block.schema);
}

function readSource(options: LoadConfigOptions): { tree: JsonValue; source: string } {
  if (options.json !== undefined) return { tree: fromPlainValue(options.json), source: '<json>' };
  const path = options.path;
  if (path === undefined)
    throw new ConfigError('CONFIG_SOURCE_MISSING', 'no config given: pass a file path (-config <path>) or a JSON value');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError('CONFIG_FILE_READ', `cannot read config file: open ${path}: ${osErrorText(e)}`, undefined, e);
  }
  try {
    return { tree: readFirstJsonValue(text), source: path };
  } catch (e) {
    if (!(e instanceof JsonSyntaxError)) throw e;
    throw new ConfigError('CONFIG_JSON_SYNTAX', `config file ${path}: ${e.message} (line ${e.line}, column ${e.column})`, undefined, e);
  }
}

/** Go's wording for the usual failures (`open config.json: no such file or directory`). */
function osErrorText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    default:
      return e instanceof Error ? e.message : String(e);
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
