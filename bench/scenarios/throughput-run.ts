/**
 * Throughput measurements (shared by the throughput, ceiling and sinks scenarios): start the
 * servers, connect K vehicles to each, keep W frames unanswered per vehicle, in slices alternating
 * between the servers (load-phase.ts), stop.
 */
import type { BenchOptions } from './bench-options';
import type { Subject } from '../server/subjects';
import { closeRig, connect, openRig } from './rig';
import type { ConnectSummary, Rig } from './rig';
import { measureInterleaved } from './load-phase';
import type { LoadMeasurement } from './load-phase';
import type { Table } from '../report/table';
import { num, pct } from '../report/table';
import type { Series } from '../report/svg-plot';

export interface ThroughputRun {
  label: string;
  config: Record<string, unknown>;
  connect: ConnectSummary;
  load: LoadMeasurement;
  profileDir?: string;
  /** Compared with the ceiling measured in the same run. */
  vsCeiling?: { rateFraction: number; cpuPerRecordRatio: number };
  /** This server ÷ the --compare server measured in the same run (rates: > 1 is faster; CPU: < 1 is cheaper). */
  vsCompared?: { rateRatio: number; cpuPerRecordRatio: number; p99Ratio: number };
}

export async function runThroughput(o: BenchOptions, starters: readonly (() => Promise<Subject>)[]): Promise<ThroughputRun[]> {
  const subjects: Subject[] = [];
  const rigs: Rig[] = [];
  try {
    for (const start of starters) subjects.push(await start());
    const connected: ConnectSummary[] = [];
    for (const subject of subjects) {
      const rig = await openRig(o, subject, { vehicles: o.vehicles });
      rigs.push(rig);
      const c = await connect(rig, o.vehicles);
      if (c.open === 0) throw new Error(`${subject.label}: no vehicle could connect: ${JSON.stringify(c.errors)}`);
      connected.push(c);
    }
    const loads = await measureInterleaved(rigs, { kind: 'window', window: o.window }, o.warmupS, o.durationS, o.sliceS);
    return subjects.map((s, i) => ({ label: s.label, config: s.config, profileDir: s.profileDir, connect: connected[i], load: loads[i] }));
  } finally {
    for (const rig of rigs) await closeRig(rig);
    for (const subject of subjects) await subject.stop();
  }
}

export function compareWithCeiling(run: ThroughputRun, ceiling: ThroughputRun | undefined): void {
  if (ceiling === undefined || run === ceiling) return;
  run.vsCeiling = {
    rateFraction: run.load.ackedPerSecond / ceiling.load.ackedPerSecond,
    cpuPerRecordRatio: run.load.server.cpuSecondsPer1000Records / ceiling.load.server.cpuSecondsPer1000Records,
  };
}

export function compareWithCompared(run: ThroughputRun, compared: ThroughputRun | undefined): void {
  if (compared === undefined || run === compared) return;
  run.vsCompared = {
    rateRatio: run.load.ackedPerSecond / compared.load.ackedPerSecond,
    cpuPerRecordRatio: run.load.server.cpuSecondsPer1000Records / compared.load.server.cpuSecondsPer1000Records,
    p99Ratio: run.load.latencyMs.p99 / compared.load.latencyMs.p99,
  };
}

/** A ratio as the tables print it: "3.97 ×", or "–" when either side was not measured. */
export function times(ratio: number): string {
  return Number.isFinite(ratio) ? `${num(ratio, 2)} ×` : '–';
}

/** The "× compared" columns appear only when a run had a --compare server. */
export function throughputTable(title: string, runs: readonly ThroughputRun[]): Table {
  const compared = runs.some((r) => r.vsCompared !== undefined);
  const table: Table = {
    title,
    header: [
      'server',
      'ACKed rec/s',
      'of ceiling',
      'MB/s in',
      'ack/error/other',
      'server cores',
      'main-thread cores',
      'server CPU s/1k rec',
      '× ceiling CPU/rec',
      'generator cores',
      'others cores',
      'p50 ms',
      'p99 ms',
    ],
    rows: runs.map((r) => {
      const l = r.load;
      return [
        r.label,
        num(l.ackedPerSecond),
        r.vsCeiling === undefined ? (r.label === 'ceiling' ? '100 %' : '–') : pct(r.vsCeiling.rateFraction),
        num(l.bytesSentPerSecond / 1e6, 2),
        `${l.replies.ack}/${l.replies.error}/${l.replies.other + l.replies.unexpected}`,
        l.server.measured ? num(l.server.cores, 2) : '–',
        l.server.measured ? num(l.server.mainThreadCores, 2) : '–',
        l.server.measured ? num(l.server.cpuSecondsPer1000Records, 4) : '–',
        r.vsCeiling === undefined ? '–' : num(r.vsCeiling.cpuPerRecordRatio, 1),
        `${num(l.generator.cores, 2)} (${pct(l.generator.share)})`,
        num(l.others.cores, 2),
        num(l.latencyMs.p50, 1),
        num(l.latencyMs.p99, 1),
      ];
    }),
  };
  if (compared) {
    table.header.push('× compared rate', '× compared CPU/rec', '× compared p99');
    runs.forEach((r, i) => {
      const v = r.vsCompared;
      table.rows[i].push(times(v?.rateRatio ?? NaN), times(v?.cpuPerRecordRatio ?? NaN), times(v?.p99Ratio ?? NaN));
    });
  }
  return table;
}

export function timelineSeries(runs: readonly ThroughputRun[]): Series[] {
  return runs.map((r) => ({ name: r.label, points: r.load.timeline }));
}
