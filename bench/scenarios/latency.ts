/**
 * Latency: the saturation rate is measured first (throughput load, interleaved with the ceiling),
 * then fixed offered rates are spread over K vehicles, open-loop, and the ACK latency of each is
 * recorded: percentiles, a CDF per rate, and the throughput-vs-latency curve. A --compare server is
 * offered the same rates, interleaved with ours rate by rate; the ceiling is measured at the rate
 * closest to half the gateway's saturation.
 */
import { renderLinePlot } from '../report/svg-plot';
import { num, pct } from '../report/table';
import { startCeiling, startCompared, startSubject } from '../server/subjects';
import type { Subject } from '../server/subjects';
import type { BenchOptions } from './bench-options';
import type { GoalCheck, Scenario } from './scenario';
import { closeRig, connect, openRig } from './rig';
import type { Rig } from './rig';
import { measure, measureInterleaved } from './load-phase';
import type { LoadMeasurement } from './load-phase';
import { profileReport, profileTables } from './profile-report';
import { times } from './throughput-run';

/** Offered rates as fractions of the measured saturation, when --rates is not given. */
const DEFAULT_FRACTIONS = [0.1, 0.25, 0.5, 0.75, 0.9, 1.0];
/** Rate mode: unanswered frames a vehicle may have before a due frame is skipped. */
const RATE_WINDOW = 64;

interface Sweep {
  label: string;
  profileDir?: string;
  saturation: LoadMeasurement;
  points: LoadMeasurement[];
}

/** The rates on the server under test, each interleaved with the same rate on the compared server. */
async function sweepPoints(o: BenchOptions, rigs: readonly Rig[], rates: readonly number[]): Promise<LoadMeasurement[][]> {
  const points: LoadMeasurement[][] = rigs.map(() => []);
  for (const rate of rates) {
    const mode = { kind: 'rate', perSecond: rate, window: RATE_WINDOW } as const;
    const measured =
      rigs.length === 1
        ? [await measure(rigs[0], mode, `${rigs[0].subject.label} @ ${num(rate)}/s`, o.warmupS, o.durationS)]
        : await measureInterleaved(rigs, mode, o.warmupS, o.durationS, o.sliceS);
    measured.forEach((m, i) => points[i].push({ ...m, label: `${rigs[i].subject.label} @ ${num(rate)}/s` }));
  }
  return points;
}

/**
 * Saturation of each server (interleaved); then `rates(saturation of ours)` on ours and the
 * compared server (interleaved), then the ceiling at `ceilingRate(our sweep)`.
 */
async function sweeps(
  o: BenchOptions,
  starters: { subject: () => Promise<Subject>; compared?: Subject; ceiling?: () => Promise<Subject> },
  rates: (saturation: number) => number[],
  ceilingRate: (sweep: Sweep) => number,
): Promise<{ subject: Sweep; compared?: Sweep; ceiling?: Sweep }> {
  const subjects: Subject[] = [];
  const rigs: Rig[] = [];
  try {
    for (const start of [
      starters.subject,
      ...(starters.compared === undefined ? [] : [async () => starters.compared as Subject]),
      ...(starters.ceiling === undefined ? [] : [starters.ceiling]),
    ]) {
      const subject = await start();
      subjects.push(subject);
      const rig = await openRig(o, subject, { vehicles: o.vehicles });
      rigs.push(rig);
      await connect(rig, o.vehicles);
    }
    const saturation = await measureInterleaved(rigs, { kind: 'window', window: o.window }, o.warmupS, Math.min(o.durationS, 10), o.sliceS);
    const sweep = (i: number, points: LoadMeasurement[]): Sweep => ({
      label: rigs[i].subject.label,
      profileDir: rigs[i].subject.profileDir,
      saturation: saturation[i],
      points,
    });
    const swept = starters.compared === undefined ? 1 : 2;
    const points = await sweepPoints(o, rigs.slice(0, swept), rates(saturation[0].ackedPerSecond));
    const subject = sweep(0, points[0]);
    const compared = swept === 2 ? sweep(1, points[1]) : undefined;
    let ceiling: Sweep | undefined;
    if (starters.ceiling !== undefined) {
      const c = rigs.length - 1;
      const rate = ceilingRate(subject);
      ceiling = sweep(c, [
        await measure(rigs[c], { kind: 'rate', perSecond: rate, window: RATE_WINDOW }, `ceiling @ ${num(rate)}/s`, o.warmupS, o.durationS),
      ]);
    }
    return { subject, compared, ceiling };
  } finally {
    for (const rig of rigs) await closeRig(rig);
    for (const subject of subjects) await subject.stop();
  }
}

/**
 * Server CPU per record at 10 % of the saturation rate within 2 × that at saturation: at low load
 * small batches each pay the thread hops. Judged at an offered rate within 5–15 % of the saturation.
 */
function lowLoadCpuGoal(s: Sweep): GoalCheck {
  const sat = s.saturation.ackedPerSecond;
  const low = s.points.find((p) => offered(p) >= 0.05 * sat && offered(p) <= 0.15 * sat);
  const atSaturation = s.saturation.server.cpuSecondsPer1000Records;
  const goal = 'server CPU per record at 10 % of the saturation rate ≤ 2 × that at saturation';
  if (low === undefined || !low.server.measured || !s.saturation.server.measured)
    return { goal, measured: 'no measured rate near 10 % of the saturation', met: null };
  const ratio = low.server.cpuSecondsPer1000Records / atSaturation;
  return {
    goal,
    measured: `${num(low.server.cpuSecondsPer1000Records, 3)} vs ${num(atSaturation, 3)} ms per record (${times(ratio)})`,
    met: ratio <= 2,
  };
}

/** Whether an offered rate is close enough to half the saturation to judge the goal by it. */
export function nearHalf(rate: number, saturation: number): boolean {
  return rate >= 0.4 * saturation && rate <= 0.6 * saturation;
}

function offered(p: LoadMeasurement): number {
  return p.mode.kind === 'rate' ? p.mode.perSecond : NaN;
}

export const latency: Scenario = async (o, pki) => {
  const rates = (s: number) => (o.rates.length > 0 ? o.rates : DEFAULT_FRACTIONS.map((f) => Math.max(1, Math.round(f * s))));
  const closestToHalf = (sweep: Sweep) =>
    sweep.points.reduce((best, p) =>
      Math.abs(offered(p) - sweep.saturation.ackedPerSecond / 2) < Math.abs(offered(best) - sweep.saturation.ackedPerSecond / 2) ? p : best,
    );
  const { subject, compared, ceiling } = await sweeps(
    o,
    {
      subject: () => startSubject(o, pki),
      // Checked (and one record ACKed) before anything starts: a wrong option fails at once.
      compared: await startCompared(o),
      ceiling: o.baseline ? () => startCeiling(o, pki) : undefined,
    },
    rates,
    (sweep) => offered(closestToHalf(sweep)),
  );
  const sat = subject.saturation.ackedPerSecond;
  // The point closest to half the saturation rate: the goal's reference.
  const half = closestToHalf(subject);
  const halfCompared = compared?.points[subject.points.indexOf(half)];
  const servers = [subject, ...(compared === undefined ? [] : [compared]), ...(ceiling === undefined ? [] : [ceiling])];
  const rows = servers.flatMap((s) =>
    s.points.map((p, i) => [
      s.label,
      num(offered(p)),
      pct(offered(p) / s.saturation.ackedPerSecond),
      num(p.ackedPerSecond),
      num(p.skipped),
      num(p.latencyMs.p50, 2),
      num(p.latencyMs.p90, 2),
      num(p.latencyMs.p99, 2),
      num(p.latencyMs.max, 1),
      p.server.measured ? num(p.server.cores, 2) : '–',
      p.server.measured ? num(p.server.cpuSecondsPer1000Records, 3) : '–',
      `${num(p.generator.cores, 2)} (${pct(p.generator.share)})`,
      num(p.others.cores, 2),
      // Ours ÷ the compared server's p99 at the same offered rate.
      ...(compared === undefined ? [] : [s === subject ? times(p.latencyMs.p99 / compared.points[i].latencyMs.p99) : '–']),
    ]),
  );
  const satRows = servers.map((s) => [
    s.label,
    num(s.saturation.ackedPerSecond),
    ceiling === undefined ? '–' : pct(s.saturation.ackedPerSecond / ceiling.saturation.ackedPerSecond),
    num(s.saturation.latencyMs.p99, 1),
    `${num(s.saturation.generator.cores, 2)} (${pct(s.saturation.generator.share)})`,
    ...(compared === undefined ? [] : [s === subject ? times(s.saturation.ackedPerSecond / compared.saturation.ackedPerSecond) : '–']),
  ]);
  // With --profile: what the gateway's threads spent their time on over the whole sweep.
  const profile = profileReport(subject.profileDir);
  const p99ratio = ceiling === undefined ? NaN : half.latencyMs.p99 / ceiling.points[0].latencyMs.p99;
  return {
    results: {
      saturationRate: sat,
      subject,
      compared,
      ceiling,
      halfSaturationPoint: { offered: offered(half), latencyMs: half.latencyMs },
      p99VsCeiling: p99ratio,
      p99VsCompared: halfCompared === undefined ? null : half.latencyMs.p99 / halfCompared.latencyMs.p99,
    },
    tables: [
      {
        title: `saturation (${o.vehicles} vehicles × ${o.window} unanswered frames, ${Math.min(o.durationS, 10)} s)`,
        header: [
          'server',
          'ACKed rec/s',
          'of ceiling',
          'p99 ms',
          'generator cores',
          ...(compared === undefined ? [] : ['× compared rate']),
        ],
        rows: satRows,
      },
      {
        title: `latency at fixed offered rates (${o.vehicles} vehicles, open loop, ${o.durationS} s per rate)`,
        header: [
          'server',
          'offered/s',
          'of its saturation',
          'ACKed/s',
          'skipped',
          'p50 ms',
          'p90 ms',
          'p99 ms',
          'max ms',
          'server cores',
          'server CPU ms/rec',
          'generator cores',
          'others cores',
          ...(compared === undefined ? [] : ['× compared p99']),
        ],
        rows,
      },
      ...(profile === undefined ? [] : profileTables(subject.label, profile)),
    ],
    plots: [
      {
        suffix: 'cdf',
        svg: renderLinePlot({
          title: `ACK latency CDF per offered rate (${servers.map((s) => s.label).join(', ')})`,
          xLabel: 'ACK latency (ms, log scale)',
          yLabel: 'fraction of records',
          xLog: true,
          yRange: [0, 1],
          series: [...subject.points, ...(compared?.points ?? []), ...(ceiling?.points ?? [])].map((p) => ({
            name: p.label,
            points: p.latencyCdf,
          })),
        }),
      },
      {
        suffix: 'curve',
        svg: renderLinePlot({
          title: `throughput vs ACK latency (${subject.label}${compared === undefined ? '' : `; p99 of ${compared.label}`})`,
          xLabel: 'ACKed records/s',
          yLabel: 'ACK latency (ms, log scale)',
          yLog: true,
          markers: true,
          xRange: [0, 0],
          series: [
            { name: 'p50', points: subject.points.map((p) => [p.ackedPerSecond, p.latencyMs.p50]) },
            { name: 'p99', points: subject.points.map((p) => [p.ackedPerSecond, p.latencyMs.p99]) },
            { name: 'max', points: subject.points.map((p) => [p.ackedPerSecond, p.latencyMs.max]) },
            ...(compared === undefined
              ? []
              : [
                  {
                    name: `${compared.label} p99`,
                    points: compared.points.map((p): [number, number] => [p.ackedPerSecond, p.latencyMs.p99]),
                  },
                ]),
          ],
        }),
      },
    ],
    goals: [
      {
        goal: 'p99 ACK latency ≤ 10 ms at half the saturation rate',
        measured:
          `${num(half.latencyMs.p99, 2)} ms at ${num(offered(half))}/s (saturation ${num(sat)}/s)` +
          (nearHalf(offered(half), sat) ? '' : ': no rate near half was measured') +
          (halfCompared === undefined
            ? ''
            : `; compared server at that rate: ${num(halfCompared.latencyMs.p99, 2)} ms (ours ${times(half.latencyMs.p99 / halfCompared.latencyMs.p99)})`),
        // Judged only at a rate within 40–60 % of the saturation (--rates may offer none).
        met: Number.isFinite(half.latencyMs.p99) && nearHalf(offered(half), sat) ? half.latencyMs.p99 <= 10 : null,
      },
      lowLoadCpuGoal(subject),
    ],
    notes: [],
  };
};
