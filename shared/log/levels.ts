/** Log level names of PROTOCOL.md §11.6 and how they map onto pino's levels. */

/** The pino levels the gateway uses. */
export type LogLevelName = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/** §11.6 accepts `panic|fatal|error|warn|warning|info|debug|trace` in any case (upstream lower-cases
 * before matching, no trimming). pino has no `panic`: it maps to `fatal`; `warning` maps to `warn`. */
const ACCEPTED: Readonly<Record<string, LogLevelName>> = {
  panic: 'fatal',
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  warning: 'warn',
  info: 'info',
  debug: 'debug',
  trace: 'trace',
};

/** The level for a configured name, or undefined when it is not one of §11.6's names (the caller then
 * stays at `info` and logs `invalid_level`). */
export function parseLogLevel(name: string): LogLevelName | undefined {
  const key = name.toLowerCase();
  return Object.prototype.hasOwnProperty.call(ACCEPTED, key) ? ACCEPTED[key] : undefined;
}

/** The `level` value written on each line. Upstream's logger names its warn level `warning`, so log
 * consumers written for upstream keep matching; every other name is pino's. */
export function outputLevelName(pinoLabel: string): string {
  return pinoLabel === 'warn' ? 'warning' : pinoLabel;
}
