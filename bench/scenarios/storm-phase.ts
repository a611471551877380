/**
 * A reconnect storm on a rig: every connection is dropped at once and every vehicle reconnects at
 * once; measured until each is connected and has had a frame ACKed again.
 */
import { performance } from 'node:perf_hooks';
import { note, progress } from '../report/progress';
import { listenQueueDrops, machineBusySeconds, treeUsage } from '../server/proc-stats';
import type { Rig } from './rig';
import { cpuUse, openCount } from './rig';
import type { CpuUse } from './rig';

export interface StormSummary {
  vehicles: number;
  /** Connected again and answered within the deadline. */
  back: number;
  /** Seconds from the drop until every vehicle was back (NaN if some never came back). */
  allBackSeconds: number;
  p50Seconds: number;
  p99Seconds: number;
  failedHandshakes: number;
  gaveUp: number;
  /** Connection attempts the kernel dropped because a listen backlog was full (whole machine). */
  listenOverflows: number;
  /** CPU per reconnected vehicle (ms): handshake, upgrade, session, one record and its ACK. */
  serverMsPerVehicle: number;
  generatorMsPerVehicle: number;
  errors: Record<string, number>;
  server: CpuUse;
  generator: CpuUse;
  others: CpuUse;
  /** [seconds since the drop, vehicles back], for the plot. */
  curve: [number, number][];
}

/** Drops every connection at once and waits until every vehicle is connected and answered again. */
export async function storm(rig: Rig, deadlineS: number, retryDelayMs: number): Promise<StormSummary> {
  const { pool, subject } = rig;
  const label = subject.label;
  const server0 = treeUsage(subject.pids()).cpuSeconds;
  const gen0 = treeUsage(pool.pids()).cpuSeconds;
  const busy0 = machineBusySeconds();
  const drops0 = listenQueueDrops();
  const t0 = performance.now();
  const poll = setInterval(() => {
    openCount(rig).then(
      (open) => progress(`[${label}] storm: ${open} connected, ${((performance.now() - t0) / 1000).toFixed(0)} s`),
      () => undefined,
    );
  }, 1000);
  let reports;
  try {
    reports = await pool.all({ type: 'storm', deadlineMs: deadlineS * 1000, retryDelayMs }, 'storm', deadlineS * 1000 + 60_000);
  } finally {
    clearInterval(poll);
  }
  const seconds = (performance.now() - t0) / 1000;
  const serverCpu = treeUsage(subject.pids()).cpuSeconds - server0;
  const genCpu = treeUsage(pool.pids()).cpuSeconds - gen0;
  const otherCpu = Math.max(0, machineBusySeconds() - busy0 - serverCpu - genCpu);
  const listenOverflows = listenQueueDrops().overflows - drops0.overflows;
  const done = reports.flatMap((r) => r.report.doneAtMs).sort((a, b) => a - b);
  const vehicles = reports.reduce((n, r) => n + r.report.vehicles, 0);
  const errors: Record<string, number> = {};
  for (const r of reports) for (const [k, v] of Object.entries(r.report.errors)) errors[k] = (errors[k] ?? 0) + v;
  const at = (q: number) => (done.length === 0 ? NaN : done[Math.min(done.length - 1, Math.ceil(q * done.length) - 1)] / 1000);
  const step = Math.max(1, Math.floor(done.length / 200));
  const curve: [number, number][] = [[0, 0]];
  for (let i = step - 1; i < done.length; i += step) curve.push([done[i] / 1000, i + 1]);
  if (done.length > 0) curve.push([done[done.length - 1] / 1000, done.length]);
  const use = (cpu: number): CpuUse => cpuUse(cpu, seconds);
  const summary: StormSummary = {
    vehicles,
    back: done.length,
    allBackSeconds: done.length === vehicles && vehicles > 0 ? done[done.length - 1] / 1000 : NaN,
    p50Seconds: at(0.5),
    p99Seconds: at(0.99),
    failedHandshakes: reports.reduce((n, r) => n + r.report.failedHandshakes, 0),
    gaveUp: reports.reduce((n, r) => n + r.report.gaveUp, 0),
    listenOverflows,
    serverMsPerVehicle: done.length > 0 && subject.pids().length > 0 ? (serverCpu * 1000) / done.length : NaN,
    generatorMsPerVehicle: done.length > 0 ? (genCpu * 1000) / done.length : NaN,
    errors,
    server: use(serverCpu),
    generator: use(genCpu),
    others: use(otherCpu),
    curve,
  };
  note(
    `[${label}] storm: ${summary.back}/${vehicles} back, all in ${summary.allBackSeconds.toFixed(2)} s, ` +
      `${summary.failedHandshakes} failed handshakes, ${listenOverflows} listen-queue overflows, generators ${summary.generator.cores.toFixed(2)} cores`,
  );
  return summary;
}
