/**
 * Throughput: K vehicles each keep W frames unanswered (as fast as replies allow) against the
 * gateway (or --target) and, interleaved with it in the same run, against the --compare server and
 * the ceiling.
 */
import { renderLinePlot } from '../report/svg-plot';
import { num, pct } from '../report/table';
import { startCeiling, startCompared, startSubject } from '../server/subjects';
import type { Scenario } from './scenario';
import { compareWithCeiling, compareWithCompared, runThroughput, throughputTable, times, timelineSeries } from './throughput-run';
import { profileReport, profileTables } from './profile-report';

export const throughput: Scenario = async (o, pki) => {
  // Checked (and one record ACKed) before anything starts: a wrong option fails at once.
  const other = await startCompared(o);
  const runs = await runThroughput(o, [
    () => startSubject(o, pki),
    ...(other === undefined ? [] : [async () => other]),
    ...(o.baseline ? [() => startCeiling(o, pki)] : []),
  ]);
  const subject = runs[0];
  const compared = other === undefined ? undefined : runs[1];
  const ceiling = o.baseline ? runs[runs.length - 1] : undefined;
  for (const r of runs) compareWithCeiling(r, ceiling);
  compareWithCompared(subject, compared);
  const profileDir = subject.profileDir;
  const profile = profileReport(profileDir);
  const fraction = subject.vsCeiling?.rateFraction ?? NaN;
  return {
    results: { runs, profile },
    tables: [
      throughputTable(`throughput: ${o.vehicles} vehicles × ${o.window} unanswered frames, ${o.durationS} s`, runs),
      ...(profile === undefined ? [] : profileTables(subject.label, profile)),
    ],
    plots: [
      {
        suffix: 'timeline',
        svg: renderLinePlot({
          title: `ACKed records/s, ${o.vehicles} vehicles × ${o.window} in flight`,
          xLabel: 'seconds',
          yLabel: 'ACKed records/s',
          series: timelineSeries(runs),
          yRange: [0, 0],
        }),
      },
    ],
    goals:
      o.target === undefined
        ? [
            {
              goal: 'record rate with the logger sink (to /dev/null) ≥ 30 % of the ceiling',
              measured:
                pct(fraction) +
                (compared === undefined
                  ? ''
                  : `; compared server: ${pct(compared.vsCeiling?.rateFraction ?? NaN)} (${num(compared.load.ackedPerSecond)} rec/s), ours ${times(subject.vsCompared?.rateRatio ?? NaN)} its rate, ${times(subject.vsCompared?.cpuPerRecordRatio ?? NaN)} its CPU/rec`),
              met: Number.isFinite(fraction) ? fraction >= 0.3 : null,
            },
          ]
        : [],
    notes: o.profile ? ['measured with --cpu-prof on the gateway: rates are lower than without profiling'] : [],
  };
};

export const ceiling: Scenario = async (o, pki) => {
  const [run] = await runThroughput(o, [() => startCeiling(o, pki)]);
  return {
    results: { runs: [run] },
    tables: [throughputTable(`ceiling: ${o.vehicles} vehicles × ${o.window} unanswered frames, ${o.durationS} s`, [run])],
    plots: [
      {
        suffix: 'timeline',
        svg: renderLinePlot({
          title: `ceiling: ACKed records/s, ${o.vehicles} vehicles × ${o.window} in flight`,
          xLabel: 'seconds',
          yLabel: 'ACKed records/s',
          series: timelineSeries([run]),
          yRange: [0, 0],
        }),
      },
    ],
    goals: [],
    notes: [],
  };
};
