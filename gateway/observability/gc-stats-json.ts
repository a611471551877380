/**
 * `/gc_stats` (PROTOCOL.md §11.5): Go's `debug.GCStats` field names (durations in nanoseconds,
 * times in RFC 3339) over every process of the tree, plus each process's own figures. The content
 * is not contractual.
 */
import type { GcStats } from './runtime-sampler';

const NS_PER_MS = 1e6;
const iso = (epochMs: number) => new Date(epochMs).toISOString();

function goFields(stats: GcStats) {
  const pauses = stats.recentPausesMs.map((ms) => Math.round(ms * NS_PER_MS));
  const sorted = [...pauses].sort((a, b) => a - b);
  // Go's PauseQuantiles with 5 entries: min, 25%, 50%, 75%, max.
  const quantile = (q: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))]);
  return {
    LastGC: iso(stats.lastEpochMs),
    NumGC: stats.count,
    PauseTotal: Math.round(stats.pauseTotalMs * NS_PER_MS),
    // Go lists the most recent first.
    Pause: [...pauses].reverse(),
    PauseEnd: stats.recentEndsEpochMs.map(iso).reverse(),
    PauseQuantiles: [0, 0.25, 0.5, 0.75, 1].map(quantile),
  };
}

export function gcStatsJson(processes: { name: string; stats: GcStats | undefined }[]) {
  const known = processes.filter((p): p is { name: string; stats: GcStats } => p.stats !== undefined);
  const merged: GcStats = { count: 0, pauseTotalMs: 0, lastEpochMs: 0, recentPausesMs: [], recentEndsEpochMs: [] };
  const recent: [end: number, pause: number][] = [];
  for (const { stats } of known) {
    merged.count += stats.count;
    merged.pauseTotalMs += stats.pauseTotalMs;
    merged.lastEpochMs = Math.max(merged.lastEpochMs, stats.lastEpochMs);
    stats.recentEndsEpochMs.forEach((end, i) => recent.push([end, stats.recentPausesMs[i]]));
  }
  recent.sort((a, b) => a[0] - b[0]);
  merged.recentEndsEpochMs = recent.map(([end]) => end);
  merged.recentPausesMs = recent.map(([, pause]) => pause);
  return { ...goFields(merged), Processes: Object.fromEntries(known.map(({ name, stats }) => [name, goFields(stats)])) };
}
