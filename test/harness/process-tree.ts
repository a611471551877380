/**
 * Finds every process of a gateway's tree, orphans included: the test hands the gateway a unique
 * environment variable, which every worker it forks inherits, and /proc shows whose environment
 * holds it (a reaped or zombie process shows none).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';

export const TREE_MARKER_ENV = 'FT_TEST_PROCESS_TREE';

export function newTreeMarker(): Record<string, string> {
  return { [TREE_MARKER_ENV]: randomUUID() };
}

export function processesOf(marker: Record<string, string>): number[] {
  const needle = `${TREE_MARKER_ENV}=${marker[TREE_MARKER_ENV]}\0`;
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').includes(needle)) found.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

/** The tree's processes still alive once `timeoutMs` passed (polled), or [] as soon as none is. */
export async function survivorsOf(marker: Record<string, string>, timeoutMs = 5_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = processesOf(marker);
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, 100));
  }
}
