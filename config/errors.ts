/** Every startup failure of config/ is a ConfigError: a stable `code` to branch on, a message that
 * names the key (or the env variable / flag), and `key` for programs. ARCHITECTURE.md: "errors that
 * escape carry a stable code and a cause". */

export type ConfigErrorCode =
  | 'CONFIG_SOURCE_MISSING' // neither a path nor a JSON value was given
  | 'CONFIG_FILE_READ' // the file could not be read
  | 'CONFIG_JSON_SYNTAX' // §12.1: syntax errors abort startup
  | 'CONFIG_TYPE' // §12.1: a value of the wrong JSON type (integers reject fractions)
  | 'CONFIG_INVALID_VALUE' // a schema format rejected the value (convict validation)
  | 'CONFIG_ENV' // an environment variable could not be parsed
  | 'CONFIG_TLS_MISSING' // §2.2: `tls` absent
  | 'CONFIG_TLS_CERT_REQUIRED' // `tls.server_cert` / `tls.server_key` empty
  | 'CONFIG_TLS_CA_REQUIRED' // D1: no bundled CA, `tls.ca_file` is required
  | 'CONFIG_ENG_CA_UNSUPPORTED' // D1: `use_default_eng_ca: true`
  | 'CONFIG_RELIABLE_ACK' // §9 validation table
  | 'CONFIG_SINK_NOT_CONFIGURED' // §12.3 step 3: `expected <Name> to be configured`
  | 'CONFIG_DISPATCH_RULE' // §12.3 step 4 and D8
  | 'CONFIG_RATE_LIMIT' // D3
  | 'CONFIG_VINS_LIMIT' // §12.2 `vins_signal_tracking_enabled`
  | 'CONFIG_VIN_ALLOWLIST' // `vin_allowlist`: the file cannot be read or parsed
  | 'CONFIG_TRUSTED_PROXY' // `trusted_proxy`: inconsistent or invalid
  | 'CONFIG_CLI'; // command line

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code: ConfigErrorCode;
  /** The config key (dot path, e.g. `rate_limit.message_limit`), env variable or flag at fault. */
  readonly key: string | undefined;

  constructor(code: ConfigErrorCode, message: string, key?: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
    this.key = key;
  }
}
