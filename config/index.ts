/** config/: the gateway's configuration, upstream-compatible (PROTOCOL.md §12). Sinks declare their
 * own blocks (SinkConfigBlock); this module composes and validates them. */
export { loadConfig, type LoadConfigOptions } from './load';
export { parseCliArgs, CLI_USAGE, DEFAULT_CONFIG_PATH, type CliArgs } from './cli';
export { ConfigError, type ConfigErrorCode } from './errors';
export type { GatewayConfig, SinkConfigBlock, StartupWarning, RateLimit } from './types';
export type { LogLevelName } from '../shared/log';
export { baseSchema, ENV_PREFIX, MAX_FRAME_BYTES, type BaseConfigProperties } from './schema';
export { MAX_TRACKED_VINS, TLS_MISSING_TEXT } from './checks';
export { parseGoBool, SUPPRESS_TLS_HANDSHAKE_ERROR_LOGGING, listEnvVariables } from './env';
