/** What a consumer (a test, or the faults scenario reading a sink back) read from a broker, and waiting until a condition over it holds. */
export class MessageLog<T> {
  readonly messages: T[] = [];
  private waiters: { predicate: () => boolean; resolve: () => void }[] = [];

  constructor(private readonly source: string) {}

  protected add(message: T): void {
    this.messages.push(message);
    this.waiters = this.waiters.filter((w) => {
      if (!w.predicate()) return true;
      w.resolve();
      return false;
    });
  }

  /** Resolves once the predicate over everything read so far holds. */
  waitUntil(predicate: () => boolean, timeoutMs = 60_000): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.source}: condition not met within ${timeoutMs} ms (${this.messages.length} messages read)`)),
        timeoutMs,
      );
      this.waiters.push({
        predicate,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }
}
