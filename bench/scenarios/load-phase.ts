/**
 * Timed load phases: rates, replies by kind, ACK latency, and the CPU of the server's and the
 * generators' process trees (plus everything else on the machine, the noise). On a shared machine
 * comparisons are interleaved: every server runs at once, and short slices of load alternate between
 * them, so each sees the same background load; the slices of one server add up to its measurement.
 */
import { performance } from 'node:perf_hooks';
import type { LoadMode, LoadStats } from '../load/generator-protocol';
import { LatencyHistogram } from '../report/histogram';
import { note, progress } from '../report/progress';
import { machineBusySeconds, treeUsage } from '../server/proc-stats';
import type { Rig } from './rig';
import { cpuUse, fmt } from './rig';
import type { CpuUse } from './rig';

export interface LoadMeasurement {
  label: string;
  mode: LoadMode;
  vehicles: number;
  /** Measured seconds (warm-ups excluded), over `slices` slices. */
  seconds: number;
  slices: number;
  sent: number;
  acked: number;
  /**
   * By kind; `notTheFramesAck`: replies that were not the exact ACK computed for the frame they
   * answer (in arrival order), so 0 means every ACK echoed its frame's txid, in order. The ceiling's
   * prebuilt ACK counts there by design.
   */
  replies: { ack: number; error: number; other: number; unexpected: number; notTheFramesAck: number };
  skipped: number;
  closedByServer: number;
  ackedPerSecond: number;
  sentPerSecond: number;
  /** WebSocket frame bytes (records) sent, and reply bytes received. */
  bytesSentPerSecond: number;
  bytesReceivedPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  latencyCdf: [number, number][];
  server: CpuUse & {
    cpuSecondsPer1000Records: number;
    /** Cores kept busy by the processes' main threads (event loops); the rest ran in other threads. */
    mainThreadCores: number;
    rssBytes: number;
    processes: number;
    measured: boolean;
  };
  generator: CpuUse & { processes: number };
  controller: CpuUse;
  /** Everything else that ran on the machine meanwhile (other users' work): the noise of this point. */
  others: CpuUse;
  /** [seconds of measurement so far, ACKed records/s over about the last second]. */
  timeline: [number, number][];
}

/** What the slices of one server add up to. */
class Totals {
  seconds = 0;
  slices = 0;
  stats: Omit<LoadStats, 'latency'> = {
    sent: 0,
    acked: 0,
    errors: 0,
    others: 0,
    unexpected: 0,
    skipped: 0,
    bytesSent: 0,
    bytesReceived: 0,
    slowPath: 0,
    open: 0,
    closedByServer: 0,
  };
  readonly latency = new LatencyHistogram();
  serverCpu = 0;
  serverMainCpu = 0;
  generatorCpu = 0;
  controllerCpu = 0;
  otherCpu = 0;
  rssBytes = 0;
  processes = 0;
  generatorProcesses = 0;
  readonly timeline: [number, number][] = [];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function snapshot(rig: Rig, withLatency: boolean): Promise<LoadStats> {
  const answers = await rig.pool.all({ type: 'snapshot', withLatency }, 'stats', 30_000);
  const total = new Totals().stats;
  const hist = new LatencyHistogram();
  for (const { stats } of answers) {
    for (const key of Object.keys(total) as (keyof typeof total)[]) total[key] += stats[key];
    if (stats.latency !== undefined) hist.add(stats.latency);
  }
  return withLatency ? { ...total, latency: hist.snapshot() } : total;
}

/** One slice: warm up, reset the counters, measure `durationS`, stop sending and let replies drain. */
async function slice(rig: Rig, mode: LoadMode, label: string, warmupS: number, durationS: number, into: Totals): Promise<void> {
  const { pool, subject } = rig;
  // A rate is the total offered: each generator offers its share.
  const share: LoadMode = mode.kind === 'rate' ? { ...mode, perSecond: mode.perSecond / pool.size } : mode;
  await pool.all({ type: 'load', mode: share }, 'ok', 10_000);
  const warmupEnd = performance.now() + warmupS * 1000;
  while (performance.now() < warmupEnd) {
    progress(`[${label}] warming up ${Math.ceil((warmupEnd - performance.now()) / 1000)} s`);
    await sleep(Math.min(1000, Math.max(0, warmupEnd - performance.now())));
  }
  await pool.all({ type: 'reset' }, 'ok', 10_000);
  const server0 = treeUsage(subject.pids());
  const gen0 = treeUsage(pool.pids()).cpuSeconds;
  const ctl0 = process.cpuUsage();
  const busy0 = machineBusySeconds();
  const t0 = performance.now();
  const offset = into.seconds;
  let lastAcked = 0;
  let lastT = t0;
  const end = t0 + durationS * 1000;
  while (end - performance.now() > 300) {
    await sleep(Math.min(1000, end - performance.now()));
    const stats = await snapshot(rig, false);
    const now = performance.now();
    const rate = ((stats.acked - lastAcked) * 1000) / (now - lastT);
    into.timeline.push([offset + (now - t0) / 1000, rate]);
    lastAcked = stats.acked;
    lastT = now;
    const genCores = (treeUsage(pool.pids()).cpuSeconds - gen0) / ((now - t0) / 1000);
    progress(
      `[${label}] ${(offset + (now - t0) / 1000).toFixed(0)} s measured: ${fmt(rate)} ACKed/s, generators ${genCores.toFixed(2)} cores`,
    );
  }
  const final = await snapshot(rig, true);
  const t1 = performance.now();
  const server1 = treeUsage(subject.pids());
  const gen1 = treeUsage(pool.pids());
  const ctl = process.cpuUsage(ctl0);
  const busy = machineBusySeconds() - busy0;
  if (t1 - lastT > 300) into.timeline.push([offset + (t1 - t0) / 1000, ((final.acked - lastAcked) * 1000) / (t1 - lastT)]);
  await pool.all({ type: 'quiesce', timeoutMs: 10_000 }, 'stats', 30_000);

  into.seconds += (t1 - t0) / 1000;
  into.slices++;
  for (const key of Object.keys(into.stats) as (keyof Totals['stats'])[]) into.stats[key] += final[key];
  if (final.latency !== undefined) into.latency.add(final.latency);
  const serverCpu = server1.cpuSeconds - server0.cpuSeconds;
  into.serverMainCpu += server1.mainThreadCpuSeconds - server0.mainThreadCpuSeconds;
  const genCpu = gen1.cpuSeconds - gen0;
  const ctlCpu = (ctl.user + ctl.system) / 1e6;
  into.serverCpu += serverCpu;
  into.generatorCpu += genCpu;
  into.controllerCpu += ctlCpu;
  // A --target without --server-pid counts as "others".
  into.otherCpu += Math.max(0, busy - serverCpu - genCpu - ctlCpu);
  into.rssBytes = server1.rssBytes;
  into.processes = server1.processes;
  into.generatorProcesses = gen1.processes;
}

function toMeasurement(rig: Rig, label: string, mode: LoadMode, t: Totals): LoadMeasurement {
  const s = t.stats;
  const h = t.latency;
  const m: LoadMeasurement = {
    label,
    mode,
    vehicles: rig.vehicles,
    seconds: t.seconds,
    slices: t.slices,
    sent: s.sent,
    acked: s.acked,
    replies: { ack: s.acked, error: s.errors, other: s.others, unexpected: s.unexpected, notTheFramesAck: s.slowPath },
    skipped: s.skipped,
    closedByServer: s.closedByServer,
    ackedPerSecond: s.acked / t.seconds,
    sentPerSecond: s.sent / t.seconds,
    bytesSentPerSecond: s.bytesSent / t.seconds,
    bytesReceivedPerSecond: s.bytesReceived / t.seconds,
    latencyMs: {
      p50: h.quantile(0.5) / 1000,
      p90: h.quantile(0.9) / 1000,
      p99: h.quantile(0.99) / 1000,
      max: h.maxMicros / 1000,
      mean: h.count === 0 ? NaN : h.sumMicros / h.count / 1000,
    },
    latencyCdf: h.cdf().map(([us, f]) => [us / 1000, f]),
    server: {
      ...cpuUse(t.serverCpu, t.seconds),
      measured: rig.subject.pids().length > 0,
      cpuSecondsPer1000Records: s.acked > 0 ? (t.serverCpu * 1000) / s.acked : NaN,
      mainThreadCores: t.serverMainCpu / t.seconds,
      rssBytes: t.rssBytes,
      processes: t.processes,
    },
    generator: { ...cpuUse(t.generatorCpu, t.seconds), processes: t.generatorProcesses },
    controller: cpuUse(t.controllerCpu, t.seconds),
    others: cpuUse(t.otherCpu, t.seconds),
    timeline: t.timeline,
  };
  note(
    `[${label}] ${fmt(m.ackedPerSecond)} ACKed/s, p50 ${m.latencyMs.p50.toFixed(2)} ms, p99 ${m.latencyMs.p99.toFixed(2)} ms, ` +
      `server ${m.server.cores.toFixed(2)} cores, generators ${m.generator.cores.toFixed(2)} cores, others ${m.others.cores.toFixed(2)} cores`,
  );
  return m;
}

/** One server, one continuous phase. */
export async function measure(rig: Rig, mode: LoadMode, label: string, warmupS: number, durationS: number): Promise<LoadMeasurement> {
  const totals = new Totals();
  await slice(rig, mode, label, warmupS, durationS, totals);
  return toMeasurement(rig, label, mode, totals);
}

/** Seconds of warm-up before each slice after a server's first (its pipeline refills after a pause). */
const SLICE_WARMUP_S = 1;

/**
 * Several servers, the same load, alternating slices of `sliceS` seconds until each has had
 * `durationS` measured seconds; the first slice of each gets the full warm-up.
 */
export async function measureInterleaved(
  rigs: readonly Rig[],
  mode: LoadMode,
  warmupS: number,
  durationS: number,
  sliceS: number,
): Promise<LoadMeasurement[]> {
  const slices = Math.max(1, Math.round(durationS / sliceS));
  const totals = rigs.map(() => new Totals());
  for (let i = 0; i < slices; i++) {
    for (const [r, rig] of rigs.entries()) {
      await slice(rig, mode, `${rig.subject.label} ${i + 1}/${slices}`, i === 0 ? warmupS : SLICE_WARMUP_S, durationS / slices, totals[r]);
    }
  }
  return rigs.map((rig, r) => toMeasurement(rig, rig.subject.label, mode, totals[r]));
}
