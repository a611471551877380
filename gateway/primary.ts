/**
 * The cluster primary: forks the workers, restarts a crashed one with backoff, serves the plain
 * status port (status, liveness, readiness) and the monitoring listeners (metrics of the whole
 * process tree, profiler), drains everything on SIGTERM/SIGINT and rolls the workers on SIGHUP (or
 * a changed config or certificate file with `gateway.watch`). It never touches a vehicle socket.
 *
 * Workers come in generations: the first one at startup, a new one per reload. A reload's
 * generation listens beside the serving one (SO_REUSEPORT) before the old one is told to stop
 * accepting and to close its sessions spread over `gateway.reload_spread_ms`; if the new one
 * cannot start, the old one keeps serving.
 */
import cluster from 'node:cluster';
import type { Worker } from 'node:cluster';
import type { GatewayConfig } from '../config';
import { freePort } from '../shared/free-port';
import { activity, logError } from '../shared/log';
import type { Logger } from '../shared/log';
import { WORKER_CONFIG_ENV, WORKER_PORT_ENV } from './cluster-messages';
import type { PrimaryMessage, WorkerMessage } from './cluster-messages';
import { refuseTakenPort } from './port-check';
import { handleSignals } from './stop-signals';
import { watchFiles } from './file-watch';
import { restartOnlyChanges } from './reload-scope';
import { startStatusListener } from './status-listener';
import { PrimaryObservability } from './observability/primary-observability';
import { isObservabilityWorkerMessage } from './observability/messages';
import type { ObservabilityWorkerMessage } from './observability/messages';
import { isVinSocketMessage, VinConnectivityPrimary } from './vin-connectivity';

const RESTART_BACKOFF_MS = [100, 500, 1000, 2000, 5000];
/** A worker that lived this long resets its slot's backoff. */
const STABLE_AFTER_MS = 30_000;
/** After the drain deadline, how long the primary still waits before it kills what is left. */
const HARD_STOP_GRACE_MS = 5_000;

export interface PrimaryHandle {
  port: number;
  /** Resolves once every worker of the first generation listens. */
  ready: Promise<void>;
}

export interface PrimaryOptions {
  /** Loads, validates and checks the configuration again for a reload; throws saying why not. */
  reloadConfig: () => GatewayConfig;
  /** The config file, watched with the TLS files when `gateway.watch` is on. */
  configPath: string | undefined;
}

/** One set of `workerCount` workers started with the same config; slots are unique across generations. */
interface Generation {
  id: number;
  config: GatewayConfig;
  env: Record<string, string>;
  slots: number[];
  listening: Set<number>;
  /** Told to drain (replaced by a newer generation, or a reload that failed to start). */
  retired: boolean;
}

interface WorkerInfo {
  slot: number;
  generation: Generation;
  startedAt: number;
  listened: boolean;
}

export async function runPrimary(config: GatewayConfig, logger: Logger, options: PrimaryOptions): Promise<PrimaryHandle> {
  const count = config.workerCount;
  // Every worker binds the same port itself (SO_REUSEPORT), so another process already listening
  // there would silently share the vehicles: refuse to start instead. Port 0: the primary picks one.
  const port = config.port === 0 ? await freePort(config.host) : await refuseTakenPort(config.host, config.port);
  const workers = new Map<Worker, WorkerInfo>();
  const failures = new Map<number, number>();
  let generations = 0;
  let draining = false;
  let started = false;

  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  // §12.3 startup order: status listener, monitoring listeners, then the workers (producers, listen).
  const observability = new PrimaryObservability(config, logger, () =>
    [...workers].flatMap(([worker, info]) => (info.listened ? [{ worker, slot: info.slot }] : [])),
  );
  const vinConnectivity = config.connectivity.per_vin ? new VinConnectivityPrimary() : undefined;
  const status =
    config.status_port > 0 ? startStatusListener(config.status_port, logger, () => observability.readiness.report()) : undefined;

  const newGeneration = (generationConfig: GatewayConfig): Generation => {
    const id = generations++;
    return {
      id,
      config: generationConfig,
      env: { [WORKER_CONFIG_ENV]: JSON.stringify(generationConfig), [WORKER_PORT_ENV]: String(port) },
      slots: Array.from({ length: count }, (_, i) => id * count + i),
      listening: new Set(),
      retired: false,
    };
  };
  let serving = newGeneration(config);
  /** A reload's generation while it starts. */
  let incoming: Generation | undefined;
  let reloadAgain = false;

  /** A worker may die at any moment (even while starting): a message it can no longer receive is no error. */
  const tell = (worker: Worker, message: PrimaryMessage) => {
    if (worker.isConnected()) worker.send(message, undefined, {}, () => undefined);
  };
  const retire = (generation: Generation, spreadMs: number) => {
    generation.retired = true;
    const message: PrimaryMessage = { type: 'drain', deadlineMs: spreadMs + generation.config.gateway.drain_timeout_ms, spreadMs };
    for (const [worker, info] of workers) if (info.generation === generation) tell(worker, message);
  };

  const fork = (generation: Generation, slot: number) => {
    const worker = cluster.fork(generation.env);
    const info: WorkerInfo = { slot, generation, startedAt: Date.now(), listened: false };
    workers.set(worker, info);
    // IPC errors of a dying worker (EPIPE) surface here; its exit is handled below.
    worker.on('error', (error: Error) => activity(logger, 'worker_ipc_error', { worker_pid: worker.process.pid, error: error.message }));
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
      activity(logger, 'worker_listening', { worker_pid: m.pid, port, generation: generation.id });
      info.listened = true;
      observability.workerListening(slot);
      generation.listening.add(slot);
      if (generation.listening.size === count) generationListening(generation);
    });
  };

  const generationListening = (generation: Generation) => {
    if (generation === serving && !started) {
      started = true;
      markReady();
      return;
    }
    if (generation !== incoming || draining) return;
    // Every new worker listens beside the old ones: the old generation stops accepting now and
    // closes its sessions gradually, so its vehicles reconnect (to the new workers) over the window.
    const previous = serving;
    serving = generation;
    incoming = undefined;
    observability.readiness.expect(generation.slots);
    const spreadMs = generation.config.gateway.reload_spread_ms;
    activity(logger, 'reloaded', { generation: generation.id, workers: count, spread_ms: spreadMs });
    retire(previous, spreadMs);
    rewatch();
    if (reloadAgain) {
      reloadAgain = false;
      reload('changed during the previous reload');
    }
  };

  cluster.on('exit', (worker, code, signal) => {
    const info = workers.get(worker);
    workers.delete(worker);
    if (info === undefined) return;
    const { slot, generation } = info;
    generation.listening.delete(slot);
    const restarting = !draining && !generation.retired;
    observability.workerExited(slot, restarting);
    if (draining) {
      if (workers.size === 0) stopped();
      return;
    }
    // The VINs whose last socket was on this worker get their DISCONNECTED from a worker still serving.
    vinConnectivity?.workerGone(slot, () => {
      const live = [...workers].find(([w, i]) => i.listened && !i.generation.retired && w.isConnected())?.[0];
      return live === undefined ? undefined : (m) => live.send(m);
    });
    if (generation.retired) return; // replaced by a newer generation: its exit is the end of its drain
    const how = `worker ${worker.process.pid} exited (code ${code}, signal ${signal})`;
    if (generation === incoming && !info.listened) {
      // The reload's workers cannot start (a sink that refuses, a bad key): keep serving with the old ones.
      logError(logger, 'reload_failed', `${how} before listening; the running workers keep the previous config`, {
        generation: generation.id,
      });
      incoming = undefined;
      retire(generation, 0);
      return;
    }
    if (!started) {
      // A worker that dies before the gateway ever served is a startup failure (a sink that cannot
      // connect, a port in use): stop, as upstream does, instead of restarting it forever.
      logError(logger, 'worker_start_failed', `${how} before listening`, {});
      for (const other of workers.keys()) other.kill('SIGKILL');
      process.exit(1);
    }
    const lived = Date.now() - info.startedAt;
    const failed = lived > STABLE_AFTER_MS ? 0 : (failures.get(slot) ?? 0) + 1;
    failures.set(slot, failed);
    const delay = RESTART_BACKOFF_MS[Math.min(failed, RESTART_BACKOFF_MS.length - 1)];
    logError(logger, 'worker_exited', how, { restart_in_ms: delay });
    setTimeout(() => {
      if (!draining && !generation.retired) fork(generation, slot);
    }, delay);
  });

  const reload = (reason: string) => {
    if (draining) return;
    if (!started) {
      // The first generation is not serving yet: it is already starting with the files as they are.
      activity(logger, 'reload_skipped', { reason, why: 'still starting' });
      return;
    }
    if (incoming !== undefined) {
      reloadAgain = true; // one more roll once this one is done, with whatever the files hold then
      return;
    }
    let next: GatewayConfig;
    try {
      next = options.reloadConfig();
      const fixed = restartOnlyChanges(serving.config, next);
      if (fixed.length > 0)
        throw new Error(`config key ${fixed.map((k) => `"${k}"`).join(', ')} changed: that takes a restart, not a reload`);
    } catch (error) {
      logError(
        logger,
        'reload_failed',
        `${error instanceof Error ? error.message : String(error)}; the running workers keep the previous config`,
        {
          reason,
        },
      );
      return;
    }
    incoming = newGeneration(next);
    activity(logger, 'reloading', { reason, generation: incoming.id, workers: count });
    for (const slot of incoming.slots) fork(incoming, slot);
  };

  let watcher: { close(): void } | undefined;
  const rewatch = () => {
    watcher?.close();
    const { gateway, tls } = serving.config;
    watcher = gateway.watch
      ? watchFiles([options.configPath, tls.server_cert, tls.server_key, tls.ca_file], (path) => reload(`${path} changed`))
      : undefined;
  };

  let hardStop: NodeJS.Timeout | undefined;
  const stopped = () => {
    clearTimeout(hardStop);
    status?.close();
    observability.close();
    activity(logger, 'stopped_server', {});
    process.exit(0);
  };
  const drain = (signal: string) => {
    if (draining) {
      activity(logger, 'draining', { signal, note: 'already draining' });
      return;
    }
    draining = true;
    watcher?.close();
    observability.startDraining();
    const deadlineMs = serving.config.gateway.drain_timeout_ms;
    activity(logger, 'draining', { signal, workers: workers.size, deadline_ms: deadlineMs });
    // A worker still starting exits at once; one already retiring closes its remaining sessions now.
    const message: PrimaryMessage = { type: 'drain', deadlineMs, spreadMs: 0 };
    for (const worker of workers.keys()) tell(worker, message);
    hardStop = setTimeout(() => {
      logError(logger, 'drain_timeout', 'workers did not stop in time; killing them', { workers: workers.size });
      for (const worker of workers.keys()) worker.kill('SIGKILL');
      process.exit(1);
    }, deadlineMs + HARD_STOP_GRACE_MS);
    if (workers.size === 0) stopped();
  };

  for (const slot of serving.slots) fork(serving, slot);
  rewatch();
  handleSignals((signal) => (signal === 'SIGHUP' ? reload('SIGHUP') : drain(signal)));

  return { port, ready };
}
