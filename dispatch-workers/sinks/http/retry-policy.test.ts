import { backoffMs, decide, retryAfterMs } from './retry-policy';

const o = { maxRetries: 3, baseMs: 100, maxMs: 1000, retryAfterMaxMs: 5000 };
const mid = () => 0.5;

describe('webhook retry policy', () => {
  it('2xx is delivered', () => {
    expect(decide({ status: 204, retryAfter: undefined }, 0, o)).toEqual({ kind: 'delivered' });
  });

  it('retries 5xx, timeouts and connection errors with exponential backoff and jitter, up to max_retries', () => {
    expect(decide({ status: 503, retryAfter: undefined }, 0, o, mid)).toEqual({ kind: 'retry', delayMs: 75, why: 'HTTP 503' });
    expect(decide({ error: 'timeout after 10 ms' }, 2, o, mid)).toEqual({ kind: 'retry', delayMs: 300, why: 'timeout after 10 ms' });
    expect(decide({ error: 'ECONNREFUSED: x' }, 3, o, mid)).toEqual({ kind: 'failed', why: 'ECONNREFUSED: x (after 3 retries)' });
  });

  it('never retries other 4xx', () => {
    expect(decide({ status: 400, retryAfter: undefined }, 0, o)).toEqual({ kind: 'failed', why: 'HTTP 400 (not retried)' });
    expect(decide({ status: 401, retryAfter: '1' }, 0, o)).toMatchObject({ kind: 'failed' });
  });

  it('408 and 429 wait for Retry-After (capped), else back off', () => {
    expect(decide({ status: 429, retryAfter: '2' }, 0, o)).toEqual({ kind: 'retry', delayMs: 2000, why: 'HTTP 429' });
    expect(decide({ status: 408, retryAfter: '60' }, 0, o)).toEqual({ kind: 'retry', delayMs: 5000, why: 'HTTP 408' });
    expect(decide({ status: 429, retryAfter: undefined }, 1, o, mid)).toEqual({ kind: 'retry', delayMs: 150, why: 'HTTP 429' });
  });

  it('backoff: between half and all of min(max, base·2^n)', () => {
    expect(backoffMs(0, o, () => 0)).toBe(50);
    expect(backoffMs(0, o, () => 1)).toBe(100);
    expect(backoffMs(10, o, () => 1)).toBe(1000);
    expect(backoffMs(10, o, () => 0)).toBe(500);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs('Wed, 21 Oct 2015 07:28:05 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(5000);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });
});
