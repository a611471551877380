/** The primary's requests to its workers (metrics collection, profiles), with ids and deadlines. */
import type { Worker } from 'node:cluster';
import type { ObservabilityPrimaryMessage, ObservabilityWorkerMessage, WorkerRequest } from './messages';

/** A live worker and its slot (0 … workers-1, stable across restarts). */
export interface WorkerRef {
  slot: number;
  worker: Worker;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export class WorkerRequests {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  ask(target: WorkerRef, request: WorkerRequest, timeoutMs: number): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`worker ${target.slot} (pid ${target.worker.process.pid}) did not answer ${request.kind} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      const message: ObservabilityPrimaryMessage = { type: 'observability-request', id, request };
      const failed = (error: Error) => {
        clearTimeout(timer);
        if (this.pending.delete(id)) reject(error);
      };
      if (!target.worker.isConnected()) {
        failed(new Error(`worker ${target.slot} is not connected`));
        return;
      }
      // With a callback, a channel closing under us is an error here, not an 'error' event.
      target.worker.send(message, undefined, {}, (error: Error | null) => {
        if (error) failed(error);
      });
    });
  }

  /** Routes a worker's answer to its request. */
  answered(message: Extract<ObservabilityWorkerMessage, { type: 'observability-response' }>): void {
    const pending = this.pending.get(message.id);
    if (pending === undefined) return; // timed out already
    this.pending.delete(message.id);
    clearTimeout(pending.timer);
    if (message.error !== undefined) pending.reject(new Error(message.error));
    else pending.resolve(message.value);
  }
}
