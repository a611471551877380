/**
 * Idle: 1k / 5k / 10k connected, silent vehicles. Server RSS per connection is the growth of the
 * RSS summed over the server's process tree since before the first connection, divided by the
 * connections; the handshake rate is measured while connecting. The ceiling is measured the same way.
 */
import { renderLinePlot } from '../report/svg-plot';
import { note } from '../report/progress';
import { num } from '../report/table';
import { effectiveFdLimit } from '../server/fd-limit';
import { treeUsage } from '../server/proc-stats';
import { startCeiling, startSubject } from '../server/subjects';
import type { Subject } from '../server/subjects';
import type { BenchOptions } from './bench-options';
import type { Scenario } from './scenario';
import { closeRig, connect, openRig } from './rig';
import type { ConnectSummary } from './rig';

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
    return { label: subject.label, baselineRssBytes: base.rssBytes, processes: base.processes, steps };
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
  const runs = [await idleRun(o, () => startSubject(o, pki))];
  if (o.baseline) runs.push(await idleRun(o, () => startCeiling(o, pki)));
  const ceiling = o.baseline ? runs[1] : undefined;
  const gateway = runs[0];
  const at = (run: IdleRun, n: number) => run.steps.find((s) => s.connections >= n * 0.99);
  const tenK = at(gateway, 10_000);
  const kb = (b: number) => b / 1024;
  const rows = runs.flatMap((r) =>
    r.steps.map((s, i) => {
      // Growth since the previous step: leaves out what the first connections allocate once.
      const prev = i === 0 ? undefined : r.steps[i - 1];
      const added = prev === undefined ? NaN : (s.rssBytes - prev.rssBytes) / (s.connections - prev.connections);
      const c = ceiling === undefined || r === ceiling ? undefined : ceiling.steps.find((x) => x.connections === s.connections);
      return [
        r.label,
        num(s.connections),
        num(s.connect.handshakesPerSecond),
        num(s.connect.handshakeMs.p50, 1),
        num(s.connect.handshakeMs.p99, 1),
        num(s.connect.serverMsPerHandshake, 2),
        num(s.connect.generatorMsPerHandshake, 2),
        num(s.rssBytes / 1048576, 1),
        num(kb(s.rssPerConnectionBytes), 1),
        num(kb(added), 1),
        c === undefined ? '–' : `${num(s.rssPerConnectionBytes / c.rssPerConnectionBytes, 2)} ×`,
        num(s.connect.generatorCores, 2),
        num(s.connect.failed),
      ];
    }),
  );
  const measurable = o.target === undefined || o.target.pid !== undefined;
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
          series: runs.map((r) => ({ name: r.label, points: r.steps.map((s) => [s.connections, kb(s.rssPerConnectionBytes)]) })),
        }),
      },
    ],
    goals: [
      {
        goal: '≤ 10 KB server RSS per idle mTLS connection at 10k connections',
        measured: tenK === undefined ? 'no 10k step' : `${num(kb(tenK.rssPerConnectionBytes), 1)} KB`,
        met: tenK === undefined || !measurable ? null : kb(tenK.rssPerConnectionBytes) <= 10,
      },
    ],
    notes: [],
  };
};
