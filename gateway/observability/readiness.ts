/**
 * Readiness of the process tree, for `/readyz`: ready only while every worker slot has a listening
 * worker, every configured sink is healthy in every worker (lanes and main thread), and the
 * gateway is not draining. Liveness (`/livez`) is only "the primary answers".
 */
export interface ReadinessReport {
  ready: boolean;
  /** Why not, one line each (empty when ready). */
  reasons: string[];
}

export class Readiness {
  private readonly listening = new Set<number>();
  private readonly sinkHealth = new Map<number, Record<string, boolean>>();
  private draining = false;

  constructor(private readonly workers: number) {}

  workerListening(slot: number): void {
    this.listening.add(slot);
  }

  workerGone(slot: number): void {
    this.listening.delete(slot);
    this.sinkHealth.delete(slot);
  }

  workerHealth(slot: number, sinks: Record<string, boolean>): void {
    this.sinkHealth.set(slot, sinks);
  }

  startDraining(): void {
    this.draining = true;
  }

  get listeningCount(): number {
    return this.listening.size;
  }

  report(): ReadinessReport {
    const reasons: string[] = [];
    if (this.draining) reasons.push('draining');
    for (let slot = 0; slot < this.workers; slot++) {
      if (!this.listening.has(slot)) reasons.push(`worker ${slot} is not listening`);
    }
    for (const [slot, sinks] of [...this.sinkHealth].sort(([a], [b]) => a - b)) {
      for (const [sink, healthy] of Object.entries(sinks)) if (!healthy) reasons.push(`sink ${sink} is not connected in worker ${slot}`);
    }
    return { ready: reasons.length === 0, reasons };
  }
}
