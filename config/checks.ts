/** Startup checks after decoding, in upstream's order (PROTOCOL.md §12.1, §12.3, §2.2), with
 * upstream's exact texts where the spec gives them; our deviations (D1, D3, D8) name the key. */
import { parseLogLevel, type LogLevelName } from '../shared/log';
import { ConfigError } from './errors';
import type { RateLimitProperties, TlsProperties } from './schema';
import type { RateLimit, SinkConfigBlock, StartupWarning } from './types';

/** §12.2: production limit of `vins_signal_tracking_enabled`. */
export const MAX_TRACKED_VINS = 20;

/** Unique VINs in first-occurrence order; more than `limit` ⇒ upstream's error text. */
export function checkTrackedVins(vins: readonly string[], limit = MAX_TRACKED_VINS): string[] {
  const unique = [...new Set(vins)];
  if (unique.length > limit) {
    throw new ConfigError(
      'CONFIG_VINS_LIMIT',
      `set the value of \`vins_signal_tracking_enabled\` less than ${limit} unique vins`,
      'vins_signal_tracking_enabled',
    );
  }
  return unique;
}

/** §11.6: an invalid or empty `log_level` is not fatal: level info plus an `invalid_level` error log. */
export function resolveLogLevel(value: string): { level: LogLevelName; warning?: StartupWarning } {
  const level = parseLogLevel(value);
  if (level !== undefined) return { level };
  return {
    level: 'info',
    warning: { msg: 'invalid_level', error: `not a valid log level: ${JSON.stringify(value)}`, fields: { log_level: value } },
  };
}

/** §8 observe-only limiter used when limiting is off. */
const OBSERVE_ONLY: RateLimit = { enabled: false, limit: 100, intervalMs: 60_000 };

/** D3: the limiter works as documented. The hidden nanosecond field (S7) wins when non-zero, so a
 * config written for upstream's hidden key keeps its meaning. */
export function resolveRateLimit(rl: RateLimitProperties): RateLimit {
  if (!rl.enabled) return OBSERVE_ONLY;
  const invalid = (key: string, what: string, got: number): never => {
    throw new ConfigError(
      'CONFIG_RATE_LIMIT',
      `config key "rate_limit.${key}": must be greater than 0 ${what}when rate_limit.enabled is true, got ${got} (gateway/DEVIATIONS.md D3)`,
      `rate_limit.${key}`,
    );
  };
  if (rl.message_limit <= 0) invalid('message_limit', '', rl.message_limit);
  if (rl.MessageIntervalTimeSecond !== 0) {
    if (rl.MessageIntervalTimeSecond < 0) invalid('MessageIntervalTimeSecond', '(nanoseconds) ', rl.MessageIntervalTimeSecond);
    return { enabled: true, limit: rl.message_limit, intervalMs: rl.MessageIntervalTimeSecond / 1e6 };
  }
  if (rl.message_interval_time <= 0) invalid('message_interval_time', '(seconds) ', rl.message_interval_time);
  return { enabled: true, limit: rl.message_limit, intervalMs: rl.message_interval_time * 1000 };
}

/** §9: the logger is the one dispatcher that can never confirm delivery; the validation table
 * names it, so it is named here (it is a protocol rule, not sink wiring). */
const NEVER_RELIABLE = 'logger';

/** §9 validation table, entries in file order. Returns dispatcher → record types it acks. */
export function checkReliableAckSources(
  sources: Readonly<Record<string, string>>,
  records: Readonly<Record<string, readonly string[]>>,
): Record<string, string[]> {
  const bySink: Record<string, string[]> = {};
  for (const [recordType, dispatcher] of Object.entries(sources)) {
    const key = `reliable_ack_sources.${recordType}`;
    const fail = (message: string): never => {
      throw new ConfigError('CONFIG_RELIABLE_ACK', message, key);
    };
    if (recordType === 'connectivity') fail('reliable ack not needed for txType: connectivity');
    if (dispatcher === NEVER_RELIABLE) fail(`logger cannot be configured as reliable ack for record: ${recordType}`);
    const list = Object.prototype.hasOwnProperty.call(records, recordType) ? records[recordType] : undefined;
    if (list === undefined)
      fail(`${dispatcher} cannot be configured as reliable ack for record: ${recordType} since no record mapping exists`);
    const candidates = (list ?? []).filter((name) => name !== NEVER_RELIABLE);
    if (!candidates.includes(dispatcher)) {
      fail(
        `${dispatcher} cannot be configured as reliable ack for record: ${recordType}. Valid datastores configured [${candidates.join(' ')}]`,
      );
    }
    (bySink[dispatcher] ??= []).push(recordType);
  }
  return bySink;
}

/** Dispatcher names used in `records`, first-use order (§12.3 step 3). */
export function usedDispatchers(records: Readonly<Record<string, readonly string[]>>): string[] {
  return [...new Set(Object.values(records).flat())];
}

/** §12.3 step 3: every used sink needs its block, checked in the order of `sinkBlocks`. */
export function checkSinkBlocks(used: readonly string[], sinkBlocks: readonly SinkConfigBlock[], present: ReadonlySet<string>): void {
  for (const block of sinkBlocks) {
    if (block.optional === true || !used.includes(block.key) || present.has(block.key)) continue;
    throw new ConfigError('CONFIG_SINK_NOT_CONFIGURED', `expected ${block.upstreamName} to be configured`, block.key);
  }
}

/** §12.3 step 4: an empty list is upstream's error; an unknown name is ours (D8, S15) in the same
 * format, followed by the name at fault and the known dispatchers. */
export function checkDispatchRules(records: Readonly<Record<string, readonly string[]>>, knownSinks: readonly string[]): void {
  for (const [recordType, names] of Object.entries(records)) {
    const rule = `unknown_dispatch_rule record: ${recordType}, dispatchRule:[${names.join(' ')}]`;
    if (names.length === 0) throw new ConfigError('CONFIG_DISPATCH_RULE', rule, `records.${recordType}`);
    const unknown = names.find((name) => !knownSinks.includes(name));
    if (unknown !== undefined) {
      throw new ConfigError(
        'CONFIG_DISPATCH_RULE',
        `${rule}: unknown dispatcher ${JSON.stringify(unknown)} in config key "records.${recordType}" (known dispatchers: ${knownSinks.join(', ')}; gateway/DEVIATIONS.md D8)`,
        `records.${recordType}`,
      );
    }
  }
}

export const TLS_MISSING_TEXT = 'tls config is empty - telemetry server is mTLS only, make sure to provide certificates in the config';

/** §2.2 and D1. Runs last: upstream builds its TLS configuration after the producers. */
export function checkTls(present: boolean, tls: TlsProperties, useDefaultEngCa: boolean): void {
  if (!present) throw new ConfigError('CONFIG_TLS_MISSING', TLS_MISSING_TEXT, 'tls');
  if (useDefaultEngCa) {
    throw new ConfigError(
      'CONFIG_ENG_CA_UNSUPPORTED',
      'config key "use_default_eng_ca": true is not supported: this gateway bundles no Tesla CA certificates (gateway/DEVIATIONS.md D1). ' +
        "Remove the key (or set it to false) and put the CA certificates to trust, such as Tesla's eng bundle, in the file named by tls.ca_file",
      'use_default_eng_ca',
    );
  }
  for (const [key, what] of [
    ['server_cert', 'the server certificate chain'],
    ['server_key', 'the server private key'],
  ] as const) {
    if (tls[key] === '') {
      throw new ConfigError('CONFIG_TLS_CERT_REQUIRED', `config key "tls.${key}" is required: the path of ${what} (PEM)`, `tls.${key}`);
    }
  }
  if (tls.ca_file === '') {
    throw new ConfigError(
      'CONFIG_TLS_CA_REQUIRED',
      'config key "tls.ca_file" is required: this gateway bundles no Tesla CA certificates (gateway/DEVIATIONS.md D1), so it trusts only the CAs in that file. ' +
        "Get Tesla's CA bundle from Tesla's fleet-telemetry repository (https://github.com/teslamotors/fleet-telemetry, file config/files/prod_ca.crt; " +
        'eng_ca.crt for engineering vehicles), append any CA of your own, and set tls.ca_file to its path',
      'tls.ca_file',
    );
  }
}
