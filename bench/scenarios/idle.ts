/**
 * Idle: 1k / 5k / 10k connected, silent vehicles. Server RSS per connection is the growth of the
 * RSS summed over the server's process tree since before the first connection, divided by the
 * connections; the handshake rate is measured while connecting. The --compare server and the
 * ceiling are measured the same way, one server after the other (each holds its connections alone).
 */
import { renderLinePlot } from '../report/svg-plot';
import { note } from '../report/progress';
import { num } from '../report/table';
import { effectiveFdLimit } from '../server/fd-limit';
import { treeUsage } from '../server/proc-stats';
import { startCeiling, startCompared, startSubject } from '../server/subjects';
import type { Subject } from '../server/subjects';
import type { BenchOptions } from './bench-options';
import type { Scenario } from './scenario';
import { closeRig, connect, openRig } from './rig';
import type { ConnectSummary } from './rig';
import { times } from './throughput-run';

/** Lets the server's allocator and GC settle before RSS is read. */
const SETTLE_MS = 3000;
/** Handshakes in progress at once per generator while connecting. */
const CONNECT_CONCURRENCY = 32;

interface IdleStep {
  connections: number;
  connect: ConnectSummary;
  rssBytes: number;
  rssPerConnectionBytes: number;
}

interface IdleRun {
  label: string;
  /** Its process tree was known (a --compare server without --compare-pid is not). */
  measured: boolean;
  baselineRssBytes: number;
  processes: number;
  steps: IdleStep[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function idleRun(o: BenchOptions, start: () => Promise<Subject>): Promise<IdleRun> {
  const subject = await start();
  try {
    await sleep(SETTLE_MS);
    const base = treeUsage(subject.pids());
    const max = Math.max(...o.idleCounts);
    const rig = await openRig(o, subject, { vehicles: max, connectConcurrency: CONNECT_CONCURRENCY });
    const steps: IdleStep[] = [];
    try {
      for (const count of o.idleCounts) {
        const c = await connect(rig, count);
        await sleep(SETTLE_MS);
        const rss = treeUsage(subject.pids()).rssBytes;
        steps.push({ connections: c.open, connect: c, rssBytes: rss, rssPerConnectionBytes: (rss - base.rssBytes) / c.open });
        note(`[${subject.label}] ${c.open} idle connections: ${num((rss - base.rssBytes) / c.open / 1024, 1)} KB RSS each`);
      }
    } finally {
      await closeRig(rig);
    }
    return { label: subject.label, measured: subject.pids().length > 0, baselineRssBytes: base.rssBytes, processes: base.processes, steps };
  } finally {
    await subject.stop();
  }
}

export const idle: Scenario = async (o, pki) => {
  const limit = effectiveFdLimit();
  const max = Math.max(...o.idleCounts);
  if (max / Math.max(1, Math.min(o.generators, o.workers)) > limit - 100) {
    throw new Error(`${max} connections need more than the file-descriptor limit (${limit}) per process: use more --generators/--workers`);
  }
  // Checked (and one record ACKed) before anything starts: a wrong option fails at once.
  const other = await startCompared(o);
  const runs = [await idleRun(o, () => startSubject(o, pki))];
  const compared = other === undefined ? undefined : await idleRun(o, async () => other);
  if (compared !== undefined) runs.push(compared);
  const ceiling = o.baseline ? await idleRun(o, () => startCeiling(o, pki)) : undefined;
  if (ceiling !== undefined) runs.push(ceiling);
  const gateway = runs[0];
  const at = (run: IdleRun, n: number) => run.steps.find((s) => s.connections >= n * 0.99);
  const tenK = at(gateway, 10_000);
  const ceilingTenK = ceiling === undefined ? undefined : at(ceiling, 10_000);
  const kb = (b: number) => b / 1024;
  // Growth since the previous step: leaves out what the first connections allocate once, and does
  // not depend on the RSS before the first connection (a server's history moves that one).
  const addedAt = (r: IdleRun, i: number) =>
    i === 0 ? NaN : (r.steps[i].rssBytes - r.steps[i - 1].rssBytes) / (r.steps[i].connections - r.steps[i - 1].connections);
  const rows = runs.flatMap((r) =>
    r.steps.map((s, i) => {
      const added = addedAt(r, i);
      const c = ceiling === undefined || r === ceiling ? undefined : ceiling.steps.find((x) => x.connections === s.connections);
      // The compared server's same step: its growth per added connection, the robust figure.
      const other = compared === undefined || r !== gateway || !compared.measured ? NaN : addedAt(compared, i);
      const rss = (n: number) => (r.measured ? n : NaN);
      return [
        r.label,
        num(s.connections),
        num(s.connect.handshakesPerSecond),
        num(s.connect.handshakeMs.p50, 1),
        num(s.connect.handshakeMs.p99, 1),
        num(s.connect.serverMsPerHandshake, 2),
        num(s.connect.generatorMsPerHandshake, 2),
        num(rss(s.rssBytes) / 1048576, 1),
        num(kb(rss(s.rssPerConnectionBytes)), 1),
        num(kb(rss(added)), 1),
        c === undefined ? '–' : times(rss(s.rssPerConnectionBytes) / c.rssPerConnectionBytes),
        num(s.connect.generatorCores, 2),
        num(s.connect.failed),
        ...(compared === undefined ? [] : [times(added / other)]),
      ];
    }),
  );
  const measurable = gateway.measured;
  const comparedAt10k = () => {
    if (compared === undefined) return '';
    if (!compared.measured) return '; compared server: not measured (no --compare-pid)';
    const i = compared.steps.findIndex((s) => s.connections >= 10_000 * 0.99);
    const j = gateway.steps.findIndex((s) => s.connections >= 10_000 * 0.99);
    if (i < 0 || j < 0) return '; compared server: no 10k step';
    return (
      `; compared server: ${num(kb(compared.steps[i].rssPerConnectionBytes), 1)} KB, ${num(kb(addedAt(compared, i)), 1)} KB per added conn ` +
      `(ours ${num(kb(addedAt(gateway, j)), 1)}: ${times(addedAt(gateway, j) / addedAt(compared, i))})`
    );
  };
  return {
    results: { runs, fdLimit: limit },
    tables: [
      {
        title: `idle connections (RSS summed over the server's process tree, baseline before the first connection)`,
        header: [
          'server',
          'connections',
          'handshakes/s',
          'handshake p50 ms',
          'p99 ms',
          'server ms CPU/handshake',
          'generator ms CPU/handshake',
          'RSS MB',
          'KB per conn',
          'KB per added conn',
          '× ceiling',
          'generator cores',
          'failed',
          ...(compared === undefined ? [] : ['× compared per added conn']),
        ],
        rows,
      },
    ],
    plots: [
      {
        suffix: 'rss',
        svg: renderLinePlot({
          title: 'server RSS per idle connection',
          xLabel: 'connections',
          yLabel: 'KB RSS per connection (above the idle baseline)',
          markers: true,
          xRange: [0, 0],
          yRange: [0, 0],
          series: runs
            .filter((r) => r.measured)
            .map((r) => ({ name: r.label, points: r.steps.map((s) => [s.connections, kb(s.rssPerConnectionBytes)]) })),
        }),
      },
    ],
    goals: [
      {
        goal: "server RSS per idle mTLS connection at 10k connections ≤ the ceiling's + 3 KB",
        measured:
          (tenK === undefined ? 'no 10k step' : `${num(kb(tenK.rssPerConnectionBytes), 1)} KB`) +
          (ceilingTenK === undefined ? ' (no ceiling at 10k)' : `, ceiling ${num(kb(ceilingTenK.rssPerConnectionBytes), 1)} KB`) +
          comparedAt10k(),
        met:
          tenK === undefined || ceilingTenK === undefined || !measurable
            ? null
            : kb(tenK.rssPerConnectionBytes) <= kb(ceilingTenK.rssPerConnectionBytes) + 3,
      },
    ],
    notes: [],
  };
};
