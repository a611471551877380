/** Error reports beside error log lines: every `logError` is also offered to this thread's error
 * observer, when one is installed (the Airbrake notifier, PROTOCOL.md §11.7), so any component that
 * logs errors, including sinks added later, is reported without knowing about it. `reportError`
 * offers a report without writing a line (events upstream reports but does not log). */

/** `kind` is the log message (`kafka_err`), `error` its error text, `fields` the line's fields. */
export type ErrorObserver = (kind: string, error: string | null, fields: Readonly<Record<string, unknown>> | undefined) => void;

let observer: ErrorObserver | undefined;

/** One observer per thread (each thread loads its own copy of this module); undefined removes it. */
export function observeErrors(next: ErrorObserver | undefined): void {
  observer = next;
}

export function reportError(kind: string, error: string | null, fields?: Readonly<Record<string, unknown>>): void {
  observer?.(kind, error, fields);
}

/** Error kinds about one vehicle's own input or about config, not about the service: logged, never
 * reported (a vehicle sending garbage must not page anyone). Everything else logged as an error is. */
const NOT_REPORTED: ReadonlySet<string> = new Set([
  'unexpected_record',
  'unknown_message_type_error',
  'extract_sender_id_err',
  'record_logging_error',
  'session_backpressure',
  'socket_err',
  'invalid_level',
  'config_key_unused',
  // Access control refusing one vehicle or request (counted in metrics; alert on those).
  'vin_refused',
  'forwarded_certificate_refused',
]);

export function isReportedKind(kind: string): boolean {
  return !NOT_REPORTED.has(kind);
}
