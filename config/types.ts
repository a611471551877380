/** Public types of config/: what a sink hands in, and what the gateway gets back. */
import type convict from 'convict';
import type { LogLevelName } from '../shared/log';
import type {
  AirbrakeProperties,
  ConnectivityProperties,
  TrustedProxyProperties,
  GatewayProperties,
  MonitoringProperties,
  RateLimitProperties,
  StatsdProperties,
  TlsProperties,
} from './schema';

/** A sink's config block, declared beside the sink (ARCHITECTURE.md). */
export interface SinkConfigBlock {
  /** Top-level key in the file, which is also the dispatcher name in `records` (e.g. `kafka`). */
  key: string;
  /** convict schema of the block. Leaves may add `goType` (Go type of the key, e.g. `'int'`,
   * `'map[string]string'`) and `envAllowEmpty`; `env` names an override variable. */
  schema: convict.Schema<unknown>;
  /** Name in `expected <upstreamName> to be configured` (§12.3), e.g. `Kafka`, `ZMQ`. */
  upstreamName: string;
  /** The whole object is passed through (kafka: librdkafka properties, §10.1): unknown keys kept
   * with their exact spelling, every number truncated to an integer; declared keys are checked. */
  openProperties?: boolean;
  /** The sink works without its block (upstream's logger, §10.7: absent ⇒ defaults), so using it in
   * `records` without a block is not an `expected … to be configured` error. */
  optional?: boolean;
  /** Keys of the block that upstream's examples show but that do nothing, → what replaces them; a
   * config carrying one gets a `config_key_unused` startup warning saying so. */
  unusedKeys?: Readonly<Record<string, string>>;
}

/** A non-fatal finding to log once the logger exists, in upstream's error-log shape (§11.6):
 * `logError(logger, msg, error, fields)`. */
export interface StartupWarning {
  readonly msg: string;
  readonly error: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

/** The per-connection limiter's parameters (§8, D3). */
export interface RateLimit {
  /** true: denied messages are dropped; false: observe only (counted, still processed). */
  readonly enabled: boolean;
  readonly limit: number;
  /** Window length in milliseconds (may be fractional when set in nanoseconds). */
  readonly intervalMs: number;
}

type DeepReadonly<T> = T extends readonly (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** The loaded configuration, deeply frozen. snake_case keys are the file's keys (defaults filled
 * in); camelCase keys are derived. */
export interface GatewayConfig {
  readonly host: string;
  readonly port: number;
  readonly status_port: number;
  readonly tls: DeepReadonly<TlsProperties>;
  readonly use_default_eng_ca: boolean;
  readonly namespace: string;
  /** As written; see `logLevel` for the level in effect. */
  readonly log_level: string;
  readonly json_log_enable: boolean;
  readonly transmit_decoded_records: boolean;
  readonly records: Readonly<Record<string, readonly string[]>>;
  readonly reliable_ack_sources: Readonly<Record<string, string>>;
  readonly rate_limit: DeepReadonly<RateLimitProperties>;
  /** Unique values, first occurrence order. */
  readonly vins_signal_tracking_enabled: readonly string[];
  /** Path of the VIN allowlist file; '' = off (gateway/access/vin-allowlist.ts). */
  readonly vin_allowlist: string;
  /** `per_vin`: gateway/vin-connectivity.ts. */
  readonly connectivity: DeepReadonly<ConnectivityProperties>;
  /** Trusted-proxy mTLS (`header` lower-cased), or null when off. */
  readonly trusted_proxy: DeepReadonly<TrustedProxyProperties> | null;
  /** null when the block is absent: no runtime metrics, no metrics backend (§11.1). */
  readonly monitoring: DeepReadonly<Omit<MonitoringProperties, 'statsd'> & { statsd: StatsdProperties | null }> | null;
  /** null when absent: no error notices (gateway/airbrake). */
  readonly airbrake: DeepReadonly<AirbrakeProperties> | null;
  readonly gateway: DeepReadonly<GatewayProperties>;
  /** Every declared sink block by key: the validated block when configured, else its defaults. */
  readonly sinks: Readonly<Record<string, unknown>>;

  /** Sink keys whose block appears in the file (non-null), in sinkBlocks order. */
  readonly configuredSinks: readonly string[];
  /** Dispatcher names used in `records`, first-use order. */
  readonly usedSinks: readonly string[];
  /** Dispatcher → record types it is the reliable-ack source for (§9 runtime step 2). */
  readonly reliableAckBySink: Readonly<Record<string, readonly string[]>>;
  /** pino level in effect (`panic` ⇒ `fatal`, `warning` ⇒ `warn`; invalid ⇒ `info`). */
  readonly logLevel: LogLevelName;
  readonly rateLimit: RateLimit;
  /** `gateway.workers` with 0 resolved to os.availableParallelism(). */
  readonly workerCount: number;
  /** §12.4 `SUPPRESS_TLS_HANDSHAKE_ERROR_LOGGING` (false when unset). */
  readonly suppressTlsHandshakeErrorLogging: boolean;
  readonly warnings: readonly StartupWarning[];
  /** The file path, or `<json>` when loaded from a value. */
  readonly source: string;
}
