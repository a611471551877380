/**
 * Signal handling installed before anything else of cli.js loads, so that SIGTERM, SIGINT or
 * SIGHUP arriving while the gateway is still starting never takes the signal's default action
 * (which kills the primary and orphans the workers it already forked).
 *
 * The primary keeps a signal that arrives before its lifecycle takes over and hands it on once a
 * handler is set. A worker ignores the signals its process group receives (a terminal's Ctrl-C,
 * a supervisor's group kill): the primary decides when a worker stops.
 */
import cluster from 'node:cluster';

export type LifecycleSignal = 'SIGTERM' | 'SIGINT' | 'SIGHUP';
const SIGNALS: LifecycleSignal[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];

let handler: ((signal: LifecycleSignal) => void) | undefined;
const early: LifecycleSignal[] = [];

for (const signal of SIGNALS) {
  process.on(signal, () => {
    if (!cluster.isPrimary) return;
    if (handler === undefined) early.push(signal);
    else handler(signal);
  });
}

/** The primary's handler from now on; signals received before it are delivered to it at once. */
export function handleSignals(next: (signal: LifecycleSignal) => void): void {
  handler = next;
  for (const signal of early.splice(0)) next(signal);
}
