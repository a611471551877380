/**
 * Readiness of the process tree, for `/readyz`: ready only while every worker slot has a listening
 * worker, every configured sink is healthy in every worker (lanes and main thread), and the
 * gateway is not draining. Liveness (`/livez`) is only "the primary answers".
 *
 * A reload forks a new generation of workers into other slots; once they all listen the primary
 * makes them the expected ones (`expect`), and the retiring generation no longer counts.
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
  private expected: number[];

  constructor(workers: number) {
    this.expected = Array.from({ length: workers }, (_, slot) => slot);
  }

  /** The slots whose workers must listen and be healthy from now on. */
  expect(slots: readonly number[]): void {
    this.expected = [...slots];
  }

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
    for (const slot of this.expected) if (!this.listening.has(slot)) reasons.push(`worker ${slot} is not listening`);
    for (const slot of this.expected) {
      for (const [sink, healthy] of Object.entries(this.sinkHealth.get(slot) ?? {}))
        if (!healthy) reasons.push(`sink ${sink} is not connected in worker ${slot}`);
    }
    return { ready: reasons.length === 0, reasons };
  }
}
