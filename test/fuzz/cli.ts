/**
 * `npm run fuzz -- --cases N [--seed S]`: runs N fuzz cases through the in-process gateway and
 * saves every case that breaks an invariant under test/fuzz/corpus/ (replayed by `npm test`).
 * Exits 1 when a case failed or memory grew without bound.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot } from '../../shared/package-root';
import { RSS_GROWTH_LIMIT_MB, encodeCase, runFuzz } from './run-fuzz';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { cases: { type: 'string' }, seed: { type: 'string' } } });
  const cases = Number(values.cases ?? '100000');
  const seed = Number(values.seed ?? String(Date.now() % 2 ** 31));
  if (!Number.isInteger(cases) || cases < 1 || !Number.isInteger(seed)) {
    process.stderr.write('usage: npm run fuzz -- --cases N [--seed S]\n');
    return 2;
  }
  const corpus = join(packageRoot(), 'test', 'fuzz', 'corpus');
  const started = Date.now();
  process.stdout.write(`fuzz: ${cases} cases, seed ${seed}\n`);
  const report = await runFuzz({
    cases,
    seed,
    failed: (failure) => {
      const bytes = encodeCase(failure.frames);
      const name = `${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}.frames`;
      mkdirSync(corpus, { recursive: true });
      writeFileSync(join(corpus, name), bytes);
      process.stdout.write(`case ${failure.caseIndex}: saved test/fuzz/corpus/${name}\n  ${failure.problems.join('\n  ')}\n`);
    },
    progress: (done, r) =>
      process.stdout.write(
        `${done} cases, ${r.frames} frames, ${r.failures.length} failed, ${Math.round((Date.now() - started) / 1000)} s\n`,
      ),
  });
  const growth = report.rssPeakMb - report.rssWarmMb;
  process.stdout.write(
    `done: ${report.cases} cases (${report.frames} frames), seed ${seed}, ${report.failures.length} failed, ` +
      `RSS ${report.rssWarmMb} MB after warm-up, peak ${report.rssPeakMb} MB, ${Math.round((Date.now() - started) / 1000)} s\n`,
  );
  if (growth > RSS_GROWTH_LIMIT_MB) process.stdout.write(`RSS grew ${growth} MB after warm-up (limit ${RSS_GROWTH_LIMIT_MB})\n`);
  return report.failures.length > 0 || growth > RSS_GROWTH_LIMIT_MB ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
