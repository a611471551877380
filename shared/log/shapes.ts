/** Upstream's two log shapes (PROTOCOL.md §11.6), which consumers of its logs match on:
 * activity logs (`activity: true`, level info) and error logs (level error, field `error` holding the
 * error text or null). Both return before building anything when their level is off. */
import type { Logger } from './create-logger';

const ACTIVITY_ONLY: Readonly<Record<string, unknown>> = Object.freeze({ activity: true });

export function activity(logger: Logger, msg: string, fields?: Readonly<Record<string, unknown>>): void {
  if (!logger.isLevelEnabled('info')) return;
  logger.info(fields === undefined ? ACTIVITY_ONLY : { ...fields, activity: true }, msg);
}

export function logError(
  logger: Logger,
  msg: string,
  error: Error | string | null | undefined,
  fields?: Readonly<Record<string, unknown>>,
): void {
  if (!logger.isLevelEnabled('error')) return;
  logger.error({ ...fields, error: errorText(error) }, msg);
}

/** Go prints `err.Error()`: the message only. */
export function errorText(error: Error | string | null | undefined): string | null {
  if (error === null || error === undefined) return null;
  return typeof error === 'string' ? error : error.message;
}
