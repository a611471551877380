/**
 * `npm run bench -- --scenario <name> [options]`: runs a load scenario against our gateway (started
 * here with a config written for the run) or any server speaking the protocol (--target), writes
 * bench/results/<scenario>-<time>.json with the plots beside it, and prints a summary table.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { packageRoot } from '../shared/package-root';
import { USAGE, parseBenchArgs } from './cli-options';
import { OptionError } from './scenarios/bench-options';
import { ONLY_BY_NAME, SCENARIOS } from './scenarios/index';
import type { BenchOptions } from './scenarios/bench-options';
import type { ScenarioOutput } from './scenarios/scenario';
import { benchPki } from './load/client-identities';
import { machineInfo } from './report/machine';
import { note } from './report/progress';
import { markdownTable, textTable } from './report/table';
import { runStamp, writeResults } from './report/results-file';
import { effectiveFdLimit } from './server/fd-limit';

/** Which code was measured: the commit, and whether the working tree differed from it. */
function sourceRevision(): { commit: string; modifiedFiles: number } | null {
  try {
    const git = (...args: string[]) =>
      execFileSync('git', ['-C', packageRoot(), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return {
      commit: git('rev-parse', 'HEAD').trim(),
      modifiedFiles: git('status', '--porcelain')
        .split('\n')
        .filter((l) => l !== '').length,
    };
  } catch {
    return null;
  }
}

function report(name: string, o: BenchOptions, out: ScenarioOutput, startedAt: Date): void {
  const stem = `${name}-${runStamp(startedAt)}`;
  const document = {
    scenario: name,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: machineInfo(),
    source: sourceRevision(),
    fdLimit: effectiveFdLimit(),
    command: process.argv.slice(2),
    options: o,
    goals: out.goals,
    notes: out.notes,
    results: out.results,
  };
  const files = writeResults(stem, document, out.plots, o.png);
  const goals = out.goals.map((g) => `${g.met === null ? '?' : g.met ? 'MET' : 'NOT MET'}  ${g.goal}: ${g.measured}`);
  const md = [
    ...out.tables.flatMap((t) => [`**${t.title}**`, '', markdownTable(t), '']),
    ...goals.map((g) => `- ${g}`),
    ...out.notes.map((n) => `- note: ${n}`),
  ];
  const mdFile = files[0].replace(/\.json$/, '.md');
  writeFileSync(mdFile, `${md.join('\n')}\n`);
  process.stdout.write(`\n${out.tables.map(textTable).join('\n\n')}\n\n`);
  for (const g of goals) process.stdout.write(`${g}\n`);
  for (const n of out.notes) process.stdout.write(`note: ${n}\n`);
  process.stdout.write(`written: ${[...files, mdFile].join(', ')}\n`);
}

/** false when a scenario found what must not happen (its results are written all the same). */
/** A bad command line: its message and the usage, without a stack. */
class UsageError extends Error {}

function parseOrUsageError(argv: string[]): ReturnType<typeof parseBenchArgs> {
  try {
    return parseBenchArgs(argv);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

async function main(): Promise<boolean> {
  const parsed = parseOrUsageError(process.argv.slice(2));
  if (parsed === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return true;
  }
  const names = parsed.scenario === 'all' ? [...SCENARIOS.keys()].filter((n) => !ONLY_BY_NAME.has(n)) : [parsed.scenario];
  for (const name of names) if (!SCENARIOS.has(name)) throw new UsageError(`unknown scenario ${name}`);
  const pki = await benchPki(parsed.certificates);
  const failures: string[] = [];
  for (const name of names) {
    const scenario = SCENARIOS.get(name);
    if (scenario === undefined) continue;
    const startedAt = new Date();
    note(`== ${name} (${startedAt.toISOString()})`);
    const out = await scenario({ ...parsed, scenario: name }, pki);
    report(name, { ...parsed, scenario: name }, out, startedAt);
    if (out.failure !== undefined) failures.push(`${name}: ${out.failure}`);
  }
  for (const f of failures) process.stderr.write(`bench: FAILED ${f}\n`);
  return failures.length === 0;
}

// Ctrl-C or a kill: exit, so the servers still running are killed (local-server.ts) and the
// generators, seeing the controller gone, exit too.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\nbench: ${signal}, stopping\n`);
    process.exit(130);
  });
}

main().then(
  // Generators and servers are stopped by now; exit even if a stray handle lingers.
  (ok) => process.exit(ok ? 0 : 1),
  (error: unknown) => {
    if (error instanceof UsageError) process.stderr.write(`bench: ${error.message}\n\n${USAGE}\n`);
    else if (error instanceof OptionError) process.stderr.write(`bench: ${error.message}\n`);
    else process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
