/** Messages of the HTTP/TLS stack (PROTOCOL.md §2.2, §11.6): logged as activity logs, except that
 * with `SUPPRESS_TLS_HANDSHAKE_ERROR_LOGGING` true any message containing the handshake-error text
 * is dropped. */
import type { Logger } from './create-logger';
import { activity } from './shapes';

/** The text upstream's HTTP server starts handshake failures with; write ours the same way. */
export const TLS_HANDSHAKE_ERROR_TEXT = 'http: TLS handshake error from';

export function logServerMessage(logger: Logger, message: string, suppressTlsHandshakeErrors: boolean): void {
  if (suppressTlsHandshakeErrors && message.includes(TLS_HANDSHAKE_ERROR_TEXT)) return;
  activity(logger, message);
}
