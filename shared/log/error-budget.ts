/** At most `perSecond` error reports per kind per second (per thread): a sink failing on every
 * record must not turn into a notice per record. Counting is a map lookup and an increment, cheap
 * enough for an error path that runs per record. */
export class ErrorBudget {
  private window = 0;
  private readonly counts = new Map<string, number>();

  /** `maxKinds` bounds the map: kinds beyond it in one second are refused. */
  constructor(
    readonly perSecond: number,
    private readonly maxKinds = 64,
    private readonly now: () => number = Date.now,
  ) {}

  /** true: report it; false: over the budget (the caller counts the drop). */
  take(kind: string): boolean {
    const window = Math.floor(this.now() / 1000);
    if (window !== this.window) {
      this.window = window;
      this.counts.clear();
    }
    const used = this.counts.get(kind);
    if (used === undefined) {
      if (this.counts.size >= this.maxKinds) return false;
      this.counts.set(kind, 1);
      return true;
    }
    if (used >= this.perSecond) return false;
    this.counts.set(kind, used + 1);
    return true;
  }
}
