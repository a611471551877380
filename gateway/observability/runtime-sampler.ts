/**
 * The runtime gauges of PROTOCOL.md §11.2 for one process, in Node terms: active handles stand for
 * goroutines, V8's heap for Go's. Each process sets its own values; the primary sums them over the
 * process tree. GC pauses come from a `gc` PerformanceObserver, which also feeds `/gc_stats`.
 */
import { PerformanceObserver, performance } from 'node:perf_hooks';
import type { Metrics } from '../../shared/metrics';

/** Sampling period; upstream refreshes once a minute, scrapes also sample. */
export const RUNTIME_SAMPLE_MS = 10_000;
const RECENT_PAUSES = 256;

export interface GcStats {
  count: number;
  pauseTotalMs: number;
  /** Epoch ms of the last GC, 0 if none yet. */
  lastEpochMs: number;
  /** Recent pauses (ms) and when they ended (epoch ms), oldest first. */
  recentPausesMs: number[];
  recentEndsEpochMs: number[];
}

export class RuntimeSampler {
  private readonly gc: GcStats = { count: 0, pauseTotalMs: 0, lastEpochMs: 0, recentPausesMs: [], recentEndsEpochMs: [] };
  private readonly observer: PerformanceObserver;
  private last = { at: performance.now(), count: 0, pauseMs: 0 };

  constructor() {
    this.observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) this.recordGc(entry.duration, performance.timeOrigin + entry.startTime + entry.duration);
    });
    this.observer.observe({ entryTypes: ['gc'] });
  }

  /** Sets this process's share of the runtime gauges. */
  sampleInto(metrics: Metrics): void {
    const now = performance.now();
    const seconds = Math.max((now - this.last.at) / 1000, 1e-3);
    const memory = process.memoryUsage();
    metrics.gauge('num_goroutine').set(process.getActiveResourcesInfo().length);
    metrics.gauge('memory_allocated_bytes').set(memory.heapUsed);
    metrics.gauge('memory_heap').set(memory.heapTotal);
    metrics.gauge('memory_stack').set(0);
    metrics.gauge('gc_total_pause').set(this.gc.pauseTotalMs);
    metrics.gauge('gc_pause_per_second').set((this.gc.pauseTotalMs - this.last.pauseMs) / seconds);
    metrics.gauge('gc_per_second').set((this.gc.count - this.last.count) / seconds);
    this.last = { at: now, count: this.gc.count, pauseMs: this.gc.pauseTotalMs };
  }

  gcStats(): GcStats {
    return { ...this.gc, recentPausesMs: [...this.gc.recentPausesMs], recentEndsEpochMs: [...this.gc.recentEndsEpochMs] };
  }

  stop(): void {
    this.observer.disconnect();
  }

  private recordGc(pauseMs: number, endEpochMs: number): void {
    this.gc.count++;
    this.gc.pauseTotalMs += pauseMs;
    this.gc.lastEpochMs = endEpochMs;
    this.gc.recentPausesMs.push(pauseMs);
    this.gc.recentEndsEpochMs.push(endEpochMs);
    if (this.gc.recentPausesMs.length > RECENT_PAUSES) {
      this.gc.recentPausesMs.shift();
      this.gc.recentEndsEpochMs.shift();
    }
  }
}
