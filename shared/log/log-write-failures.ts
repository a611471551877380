/**
 * A log that cannot be written (the disk under it full, a closed pipe) must not stop the gateway.
 * pino's destination emits 'error' for a failed write, which, unhandled, ends the process: with
 * one log disk shared by the primary and every worker, the whole gateway at once, and the vehicles
 * could not reconnect. Instead the process keeps serving: lines wait in the destination (the failed
 * one is retried with the next line) up to `maxHeldBytes`, lines beyond are dropped and counted,
 * and the first write that gets through again is followed by one `log_write_error` line saying how
 * many writes failed, how many lines were dropped, and why.
 */
import type { EventEmitter } from 'node:events';

/** Bytes of log lines held while writes fail; lines beyond it are dropped. */
export const MAX_HELD_LOG_BYTES = 8 * 1024 * 1024;

export interface LogWriteFailure {
  error: string;
  failedWrites: number;
  droppedLines: number;
}

/**
 * Watches a destination (a SonicBoom: 'error' per failed write, 'drop' per line refused above its
 * maxLength, 'write' per write that succeeded) and calls `recovered` once writes succeed again.
 */
export function survivesLogWriteFailures(destination: EventEmitter, recovered: (failure: LogWriteFailure) => void): void {
  let failure: LogWriteFailure | undefined;
  destination.on('error', (error: NodeJS.ErrnoException) => {
    failure ??= { error: error.code ?? error.message, failedWrites: 0, droppedLines: 0 };
    failure.failedWrites++;
  });
  destination.on('drop', () => {
    failure ??= { error: 'log buffer full', failedWrites: 0, droppedLines: 0 };
    failure.droppedLines++;
  });
  destination.on('write', () => {
    if (failure === undefined) return;
    const reported = failure;
    failure = undefined;
    recovered(reported);
  });
}
