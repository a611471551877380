import { RateLimiter } from './rate-limiter';

describe('RateLimiter (PROTOCOL.md §8, DEVIATIONS.md D3)', () => {
  it('allows `limit` messages per interval and denies the rest', () => {
    const limiter = new RateLimiter(3, 1000);
    expect([0, 10, 20, 30, 999].map((t) => limiter.tryAcquire(t))).toEqual([true, true, true, false, false]);
  });

  it('slides: a slot frees when its oldest entry is one interval old', () => {
    const limiter = new RateLimiter(2, 1000);
    expect(limiter.tryAcquire(0)).toBe(true);
    expect(limiter.tryAcquire(500)).toBe(true);
    expect(limiter.tryAcquire(999)).toBe(false);
    expect(limiter.tryAcquire(1000)).toBe(true); // replaces t=0
    expect(limiter.tryAcquire(1200)).toBe(false); // oldest now t=500
    expect(limiter.tryAcquire(1500)).toBe(true);
  });

  it('does not record denied attempts', () => {
    const limiter = new RateLimiter(1, 100);
    expect(limiter.tryAcquire(0)).toBe(true);
    for (let t = 1; t < 100; t++) expect(limiter.tryAcquire(t)).toBe(false);
    expect(limiter.tryAcquire(100)).toBe(true);
  });
});
