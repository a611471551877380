/**
 * Throughput: K vehicles each keep W frames unanswered (as fast as replies allow) against the
 * gateway (or --target) and, interleaved with it in the same run, against the ceiling.
 */
import { renderLinePlot } from '../report/svg-plot';
import { pct } from '../report/table';
import { startCeiling, startSubject } from '../server/subjects';
import type { Scenario } from './scenario';
import { compareWithCeiling, runThroughput, throughputTable, timelineSeries } from './throughput-run';
import { profileReport, profileTables } from './profile-report';

export const throughput: Scenario = async (o, pki) => {
  const runs = await runThroughput(o, [() => startSubject(o, pki), ...(o.baseline ? [() => startCeiling(o, pki)] : [])]);
  const [subject, ceiling] = runs;
  compareWithCeiling(subject, ceiling);
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
              goal: 'record rate ≥ 70 % of the ceiling (logger sink to /dev/null)',
              measured: pct(fraction),
              met: Number.isFinite(fraction) ? fraction >= 0.7 : null,
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
