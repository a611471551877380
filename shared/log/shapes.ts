/** Upstream's two log shapes (PROTOCOL.md §11.6), which consumers of its logs match on:
 * activity logs (`activity: true`, level info) and error logs (level error, field `error` holding the
 * error text or null). Both return before building anything when their level is off, and write JSON
 * lines through the fast path (json-line.ts: the same text as pino's, without re-sorting it). */
import type { Logger } from './create-logger';
import { reportError } from './error-reports';
import { jsonLine, jsonLineFormat } from './json-line';

const ACTIVITY_ONLY: Readonly<Record<string, unknown>> = Object.freeze({ activity: true });

export function activity(logger: Logger, msg: string, fields?: Readonly<Record<string, unknown>>): void {
  if (!logger.isLevelEnabled('info')) return;
  write(logger, 'info', msg, fields === undefined ? ACTIVITY_ONLY : { ...fields, activity: true });
}

export function logError(
  logger: Logger,
  msg: string,
  error: Error | string | null | undefined,
  fields?: Readonly<Record<string, unknown>>,
): void {
  reportError(msg, errorText(error), fields); // whatever the log level (the observer rate-limits)
  if (!logger.isLevelEnabled('error')) return;
  write(logger, 'error', msg, { ...fields, error: errorText(error) });
}

/** JSON loggers made by createLogger take the fast path; others (logfmt, child loggers) go through pino. */
function write(logger: Logger, level: 'info' | 'error', msg: string, fields: Readonly<Record<string, unknown>>): void {
  const format = jsonLineFormat(logger);
  if (format === undefined) logger[level](fields, msg);
  else format.destination.write(jsonLine(format, level, msg, fields));
}

/** Go prints `err.Error()`: the message only. */
export function errorText(error: Error | string | null | undefined): string | null {
  if (error === null || error === undefined) return null;
  return typeof error === 'string' ? error : error.message;
}
