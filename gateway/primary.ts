/**
 * The cluster primary: forks the workers, restarts a crashed one with backoff, serves the plain
 * status port (status, liveness, readiness) and the monitoring listeners (metrics of the whole
 * process tree, profiler), and drains everything on SIGTERM/SIGINT. It never touches a vehicle
 * socket.
 */
import cluster from 'node:cluster';
import type { Worker } from 'node:cluster';
import type { GatewayConfig } from '../config';
import { freePort } from '../shared/free-port';
import { activity, logError } from '../shared/log';
import type { Logger } from '../shared/log';
import { WORKER_CONFIG_ENV, WORKER_PORT_ENV } from './cluster-messages';
import type { PrimaryMessage, WorkerMessage } from './cluster-messages';
import { startStatusListener } from './status-listener';
import { PrimaryObservability } from './observability/primary-observability';
import { isObservabilityWorkerMessage } from './observability/messages';
import type { ObservabilityWorkerMessage } from './observability/messages';
import { isVinSocketMessage, VinConnectivityPrimary } from './vin-connectivity';

const RESTART_BACKOFF_MS = [100, 500, 1000, 2000, 5000];
/** A worker that lived this long resets its slot's backoff. */
const STABLE_AFTER_MS = 30_000;

export interface PrimaryHandle {
  port: number;
  /** Resolves once every worker listens. */
  ready: Promise<void>;
}

export async function runPrimary(config: GatewayConfig, logger: Logger): Promise<PrimaryHandle> {
  const count = config.workerCount;
  // Every worker binds the same port itself; with port 0 the primary picks one for all of them.
  const port = config.port === 0 ? await freePort(config.host) : config.port;
  const env = { [WORKER_CONFIG_ENV]: JSON.stringify(config), [WORKER_PORT_ENV]: String(port) };
  const slots = new Map<Worker, { slot: number; startedAt: number }>();
  const failures: number[] = new Array<number>(count).fill(0);
  let draining = false;

  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const listening = new Set<number>();
  /** Workers whose listener is up: they answer observability requests. */
  const serving = new Set<Worker>();

  // §12.3 startup order: status listener, monitoring listeners, then the workers (producers, listen).
  const observability = new PrimaryObservability(config, logger, () =>
    [...serving].flatMap((worker) => {
      const info = slots.get(worker);
      return info === undefined ? [] : [{ worker, slot: info.slot }];
    }),
  );
  const vinConnectivity = config.connectivity.per_vin ? new VinConnectivityPrimary() : undefined;
  const status =
    config.status_port > 0 ? startStatusListener(config.status_port, logger, () => observability.readiness.report()) : undefined;

  const fork = (slot: number) => {
    const worker = cluster.fork(env);
    slots.set(worker, { slot, startedAt: Date.now() });
    worker.on('message', (m: WorkerMessage | ObservabilityWorkerMessage) => {
      if (isObservabilityWorkerMessage(m)) {
        observability.workerMessage(slot, m);
        return;
      }
      if (isVinSocketMessage(m)) {
        vinConnectivity?.socket(slot, m, (answer) => {
          if (worker.isConnected()) worker.send(answer);
        });
        return;
      }
      if (m.type !== 'listening') return;
      activity(logger, 'worker_listening', { worker_pid: m.pid, port });
      serving.add(worker);
      observability.workerListening(slot);
      listening.add(slot);
      if (listening.size === count) markReady();
    });
  };

  cluster.on('exit', (worker, code, signal) => {
    const info = slots.get(worker);
    slots.delete(worker);
    serving.delete(worker);
    if (info === undefined) return;
    observability.workerExited(info.slot, !draining);
    if (draining) return;
    vinConnectivity?.workerGone(info.slot, () => {
      const live = [...serving][0];
      return live?.isConnected() ? (m) => live.send(m) : undefined;
    });
    if (listening.size < count) {
      // A worker that dies before the gateway ever served is a startup failure (a sink that cannot
      // connect, a port in use): stop, as upstream does, instead of restarting it forever.
      logError(logger, 'worker_start_failed', `worker ${worker.process.pid} exited (code ${code}, signal ${signal}) before listening`, {});
      for (const other of slots.keys()) other.kill('SIGKILL');
      process.exit(1);
    }
    const lived = Date.now() - info.startedAt;
    failures[info.slot] = lived > STABLE_AFTER_MS ? 0 : failures[info.slot] + 1;
    const delay = RESTART_BACKOFF_MS[Math.min(failures[info.slot], RESTART_BACKOFF_MS.length - 1)];
    logError(logger, 'worker_exited', `worker ${worker.process.pid} exited (code ${code}, signal ${signal})`, { restart_in_ms: delay });
    setTimeout(() => {
      if (!draining) fork(info.slot);
    }, delay);
  });

  for (let slot = 0; slot < count; slot++) fork(slot);

  const drain = (signal: string) => {
    if (draining) return;
    draining = true;
    observability.startDraining();
    const deadlineMs = config.gateway.drain_timeout_ms;
    activity(logger, 'draining', { signal, workers: slots.size, deadline_ms: deadlineMs });
    const message: PrimaryMessage = { type: 'drain', deadlineMs };
    for (const worker of slots.keys()) worker.send(message);
    const hardStop = setTimeout(() => {
      logError(logger, 'drain_timeout', 'workers did not stop in time; killing them', { workers: slots.size });
      for (const worker of slots.keys()) worker.kill('SIGKILL');
      process.exit(1);
    }, deadlineMs + 5000);
    const waitForExit = setInterval(() => {
      if (slots.size > 0) return;
      clearInterval(waitForExit);
      clearTimeout(hardStop);
      status?.close();
      observability.close();
      activity(logger, 'stopped_server', { signal });
      process.exit(0);
    }, 50);
  };
  process.on('SIGTERM', () => drain('SIGTERM'));
  process.on('SIGINT', () => drain('SIGINT'));

  return { port, ready };
}
