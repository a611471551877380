/**
 * What to do after a webhook request: 2xx delivered; 5xx, 408, 429, a timeout or a connection error
 * retried with exponential backoff and jitter (408/429 after their Retry-After when given); any
 * other status (4xx, 3xx) fails at once: the receiver said no and would say it again.
 */

export type PostResult = { status: number; retryAfter: string | undefined } | { error: string };

export type Decision = { kind: 'delivered' } | { kind: 'retry'; delayMs: number; why: string } | { kind: 'failed'; why: string };

export interface RetryOptions {
  maxRetries: number;
  baseMs: number;
  maxMs: number;
  retryAfterMaxMs: number;
}

/** Backoff before retry number `retry` (0-based): half of min(max, base·2^retry) plus up to as much again at random. */
export function backoffMs(retry: number, o: RetryOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(o.maxMs, o.baseMs * 2 ** Math.min(retry, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Retry-After as milliseconds: delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The decision after attempt number `retry` (0 = the first try) answered `result`. */
export function decide(result: PostResult, retry: number, o: RetryOptions, random: () => number = Math.random): Decision {
  let why: string;
  let delayMs = backoffMs(retry, o, random);
  if ('error' in result) why = result.error;
  else if (result.status >= 200 && result.status < 300) return { kind: 'delivered' };
  else if (result.status >= 500) why = `HTTP ${result.status}`;
  else if (result.status === 408 || result.status === 429) {
    why = `HTTP ${result.status}`;
    const after = retryAfterMs(result.retryAfter);
    if (after !== undefined) delayMs = Math.min(after, o.retryAfterMaxMs);
  } else return { kind: 'failed', why: `HTTP ${result.status} (not retried)` };
  if (retry >= o.maxRetries) return { kind: 'failed', why: `${why} (after ${retry} retries)` };
  return { kind: 'retry', delayMs, why };
}
