/**
 * 20,000 fuzz cases (a fixed seed, so a failure reproduces) through the in-process gateway; the
 * long runs are `npm run fuzz -- --cases N [--seed S]`.
 */
import { RSS_GROWTH_LIMIT_MB, runFuzz } from './run-fuzz';

it('keeps every invariant over 20,000 structure-aware and byte-level cases', async () => {
  const report = await runFuzz({ cases: 20_000, seed: 20_261_206 });
  expect(report.failures.map((f) => `case ${f.caseIndex}: ${f.problems.join('; ')}`)).toEqual([]);
  expect(report.cases).toBe(20_000);
  expect(report.rssPeakMb - report.rssWarmMb).toBeLessThan(RSS_GROWTH_LIMIT_MB);
}, 600_000);
