/**
 * Which Kinesis failures are worth sending again, and when. `kinesis.max_retries` (PROTOCOL.md
 * §10.2, default 1) is how many times a record is sent again after a failed attempt, whether the
 * whole PutRecords call failed or only its entry; upstream gave the same number to the AWS SDK's
 * retryer for its one-record PutRecord calls.
 */

/** PutRecords entry error codes that will not go away by retrying (KMS key state and access). */
const PERMANENT_ENTRY_CODES = new Set([
  'KMSDisabledException',
  'KMSInvalidStateException',
  'KMSAccessDeniedException',
  'KMSNotFoundException',
  'KMSOptInRequired',
]);

/** Client-side (4xx) errors that are throttling, hence retryable. */
const THROTTLING_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'LimitExceededException',
  'ThrottlingException',
  'KMSThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
]);

/** An entry of a PutRecords response that carries `ErrorCode` (`ProvisionedThroughputExceededException`, `InternalFailure`, KMS errors). */
export function isRetryableEntryError(code: string): boolean {
  return !PERMANENT_ENTRY_CODES.has(code);
}

/**
 * A PutRecords call that threw: SDK service errors carry `name` and `$fault` (`client` for 4xx).
 * Client faults other than throttling (stream not found, access denied, invalid argument, bad
 * credentials) fail for good; server faults, throttling, timeouts and network errors are retried.
 */
export function isRetryableCallError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return true;
  const { name, $fault } = error as { name?: unknown; $fault?: unknown };
  if (typeof name === 'string' && THROTTLING_NAMES.has(name)) return true;
  return $fault !== 'client';
}

/**
 * Delay before attempt `attempt + 1` (attempt ≥ 1 failed attempts so far): exponential from 100 ms,
 * capped at 5 s, with "equal jitter" so that retries of many records spread out.
 */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(5_000, 100 * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** `kinesis.max_retries` as a number of attempts; a negative value means the AWS SDK default (3 retries). */
export function attemptsFor(maxRetries: number): number {
  return (maxRetries < 0 ? 3 : maxRetries) + 1;
}

/**
 * The text of an error for logs: `<name>: <message>` for SDK errors, the message otherwise, and the
 * first inner error of an AggregateError (Node's connection attempts to several addresses).
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const inner = (error as { errors?: unknown }).errors;
  if (error.message === '' && Array.isArray(inner) && inner.length > 0) return describeError(inner[0]);
  const code = (error as { code?: unknown }).code;
  if (error.name !== 'Error' && error.name !== '') return `${error.name}: ${error.message}`;
  if (typeof code === 'string' && !error.message.includes(code)) return `${code}: ${error.message}`;
  return error.message;
}
