/**
 * A server under test plus the generator processes loading it: opening them, and connecting the
 * vehicles (the handshake rate). Load phases are in load-phase.ts, storms in storm-phase.ts.
 */
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { GeneratorPool } from '../load/generator-pool';
import type { ClientIdentity, GeneratorPlan } from '../load/generator-protocol';
import { LatencyHistogram } from '../report/histogram';
import { note, progress } from '../report/progress';
import { treeUsage } from '../server/proc-stats';
import type { Subject } from '../server/subjects';
import type { BenchOptions } from './bench-options';

export interface Rig {
  subject: Subject;
  pool: GeneratorPool;
  vehicles: number;
}

export interface RigOptions {
  vehicles: number;
  connectConcurrency?: number;
}

/** Connection c goes to generator c % G and uses identity c % I. */
export async function openRig(o: BenchOptions, subject: Subject, r: RigOptions): Promise<Rig> {
  // Every server gets as many distinct certificates (a TLS context each in the generators).
  const identities = subject.identities.slice(0, o.certificates);
  const generators = Math.max(1, Math.min(o.generators, r.vehicles));
  const plans: GeneratorPlan[] = [];
  for (let g = 0; g < generators; g++) {
    const used = new Map<number, number>();
    const mine: ClientIdentity[] = [];
    const connectionIdentities: number[] = [];
    for (let c = g; c < r.vehicles; c += generators) {
      const global = c % identities.length;
      let local = used.get(global);
      if (local === undefined) {
        local = mine.length;
        used.set(global, local);
        mine.push(identities[global]);
      }
      connectionIdentities.push(local);
    }
    plans.push({
      index: g,
      host: subject.host,
      port: subject.port,
      servername: isIP(subject.host) === 0 ? subject.host : undefined,
      caFile: subject.caFile,
      identities: mine,
      connectionIdentities,
      framesPerIdentity: o.framesPerVehicle,
      minDatums: o.minDatums,
      maxDatums: o.maxDatums,
      seed: o.seed,
      connectConcurrency: r.connectConcurrency ?? 64,
      handshakeTimeoutMs: 30_000,
    });
  }
  const pool = await GeneratorPool.start(plans);
  return { subject, pool, vehicles: r.vehicles };
}

export async function closeRig(rig: Rig): Promise<void> {
  await rig.pool.stop();
}

export interface ConnectSummary {
  requested: number;
  open: number;
  failed: number;
  seconds: number;
  /** Connections opened per second during this phase. */
  handshakesPerSecond: number;
  handshakeMs: { p50: number; p99: number; max: number };
  errors: Record<string, number>;
  generatorCores: number;
  serverCores: number;
  /** CPU per handshake (ms): robust to the machine's noise, unlike the rate. */
  serverMsPerHandshake: number;
  generatorMsPerHandshake: number;
}

/** Opens connections until `upTo` (over all generators) are open. */
export async function connect(rig: Rig, upTo: number): Promise<ConnectSummary> {
  const G = rig.pool.size;
  const label = rig.subject.label;
  const before = await openCount(rig);
  const gen0 = treeUsage(rig.pool.pids()).cpuSeconds;
  const server0 = treeUsage(rig.subject.pids()).cpuSeconds;
  const t0 = performance.now();
  const poll = setInterval(() => {
    openCount(rig).then(
      (open) => progress(`[${label}] connecting: ${open}/${upTo} open, ${((performance.now() - t0) / 1000).toFixed(0)} s`),
      () => undefined,
    );
  }, 1000);
  try {
    const shares = Array.from({ length: G }, (_, g) => (upTo > g ? Math.floor((upTo - 1 - g) / G) + 1 : 0));
    const answers = await Promise.all(shares.map((share, g) => rig.pool.one(g, { type: 'connect', upTo: share }, 'connected', 600_000)));
    const seconds = (performance.now() - t0) / 1000;
    const hist = new LatencyHistogram();
    const errors: Record<string, number> = {};
    let open = 0;
    let failed = 0;
    for (const { report } of answers) {
      hist.add(report.handshake);
      open += report.open;
      failed += report.failed;
      for (const [k, v] of Object.entries(report.errors)) errors[k] = (errors[k] ?? 0) + v;
    }
    const summary: ConnectSummary = {
      requested: upTo,
      open,
      failed,
      seconds,
      handshakesPerSecond: (open - before) / seconds,
      handshakeMs: { p50: hist.quantile(0.5) / 1000, p99: hist.quantile(0.99) / 1000, max: hist.maxMicros / 1000 },
      errors,
      generatorCores: 0,
      serverCores: 0,
      serverMsPerHandshake: NaN,
      generatorMsPerHandshake: NaN,
    };
    const genCpu = treeUsage(rig.pool.pids()).cpuSeconds - gen0;
    const serverCpu = treeUsage(rig.subject.pids()).cpuSeconds - server0;
    const opened = open - before;
    summary.generatorCores = genCpu / seconds;
    summary.serverCores = serverCpu / seconds;
    if (opened > 0 && rig.subject.pids().length > 0) summary.serverMsPerHandshake = (serverCpu * 1000) / opened;
    if (opened > 0) summary.generatorMsPerHandshake = (genCpu * 1000) / opened;
    note(
      `[${label}] ${open}/${upTo} open (${failed} failed) in ${seconds.toFixed(1)} s: ${summary.handshakesPerSecond.toFixed(0)} handshakes/s`,
    );
    return summary;
  } finally {
    clearInterval(poll);
  }
}

export async function openCount(rig: Rig): Promise<number> {
  const stats = await rig.pool.all({ type: 'snapshot', withLatency: false }, 'stats', 30_000);
  return stats.reduce((n, s) => n + s.stats.open, 0);
}

export interface CpuUse {
  cpuSeconds: number;
  /** CPU seconds per wall second: how many cores it kept busy. */
  cores: number;
  /** Of the whole machine (cores / available cores). */
  share: number;
}

export function cpuUse(cpuSeconds: number, seconds: number): CpuUse {
  const cores = cpuSeconds / seconds;
  return { cpuSeconds, cores, share: cores / availableParallelism() };
}

export function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
