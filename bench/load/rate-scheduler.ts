/**
 * Offers a fixed rate of frames, open-loop: every millisecond it sends what is due since the start,
 * round-robin over the connections, whatever the server's replies do. A frame due on a connection
 * whose window is full is skipped and counted, which is how saturation shows in rate mode.
 */
import { performance } from 'node:perf_hooks';
import type { LoadCounters, VehicleLoad } from './vehicle-load';

export class RateScheduler {
  private timer: NodeJS.Timeout | undefined;
  private due = 0;
  private last = 0;
  private cursor = 0;

  constructor(
    private readonly vehicles: readonly VehicleLoad[],
    private readonly perSecond: number,
    private readonly window: number,
    private readonly counters: LoadCounters,
  ) {}

  start(): void {
    this.last = performance.now();
    this.timer = setInterval(() => this.tick(), 1);
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    const n = this.vehicles.length;
    if (n === 0) return;
    const now = performance.now();
    // A late tick (GC, a busy generator) sends what fell due meanwhile: the offer stays open-loop.
    this.due += ((now - this.last) * this.perSecond) / 1000;
    this.last = now;
    const touched = new Set<VehicleLoad>();
    while (this.due >= 1) {
      this.due--;
      const v = this.vehicles[this.cursor];
      this.cursor = (this.cursor + 1) % n;
      if (v.queue(now, this.window)) touched.add(v);
      else this.counters.skipped++;
    }
    for (const v of touched) v.flush();
  }
}
