/**
 * Per-connection sliding-window-log limiter (PROTOCOL.md §8) as DEVIATIONS.md D3 documents it:
 * at most `limit` messages in any `intervalMs` window; denied attempts are not recorded.
 */
export class RateLimiter {
  /** Ring of the accepted attempts' times, oldest at `head`. */
  private readonly log: Float64Array;
  private head = 0;
  private size = 0;

  constructor(
    private readonly limit: number,
    private readonly intervalMs: number,
  ) {
    this.log = new Float64Array(limit);
  }

  tryAcquire(now: number): boolean {
    if (this.size < this.limit) {
      this.log[(this.head + this.size) % this.limit] = now;
      this.size++;
      return true;
    }
    if (now - this.log[this.head] < this.intervalMs) return false;
    // Replace the oldest entry by now and move it to the back: with a full ring that is the head slot.
    this.log[this.head] = now;
    this.head = (this.head + 1) % this.limit;
    return true;
  }
}
