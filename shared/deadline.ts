/**
 * Waiting with a bound: drain and sink close wait for in-flight work, but never longer than their
 * deadline, and a failure of that work is not theirs to report (it was counted where it happened).
 */

/** Resolves when `work` settles (either way) or after `ms`, whichever comes first; never rejects. */
export function settledWithin(work: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, Math.max(0, ms));
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    work.then(done, done);
  });
}
