/** Logging for every process and thread (PROTOCOL.md §11.6). */
export { createLogger, LOG_CONTEXT, type Logger, type LoggerOptions } from './create-logger';
export { activity, logError, errorText } from './shapes';
export { isReportedKind, observeErrors, reportError, type ErrorObserver } from './error-reports';
export { logServerMessage, TLS_HANDSHAKE_ERROR_TEXT } from './server-log';
export { parseLogLevel, outputLevelName, type LogLevelName } from './levels';
export { rfc3339 } from './time';
export {
  jsonLine,
  jsonLineFormat,
  jsonLineOfMembers,
  primitiveJsonText,
  sortedJsonText,
  type JsonLineFormat,
  type JsonMember,
} from './json-line';
export { ErrorBudget } from './error-budget';
