// Build: compile TypeScript to dist/, then prepare native pieces the acceptor may need.
// Incremental: tsc re-emits only what changed (its state is dist/.tsbuildinfo), and when no input
// is newer than that state tsc is not started at all, so `npm start`, `npm run vehicle` and
// `npm test` cost almost nothing to rebuild after the first build. `--force` rebuilds everything.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsconfigPath = join(root, 'tsconfig.json');
const buildInfo = join(root, 'dist', '.tsbuildinfo');
const force = process.argv.includes('--force');

/** Newest modification time among tsc's inputs: tsconfig, the lock file (types) and every .ts under the included folders. */
function newestInput() {
  const { include } = JSON.parse(readFileSync(tsconfigPath, 'utf8'));
  let newest = Math.max(statSync(tsconfigPath).mtimeMs, statSync(join(root, 'package-lock.json')).mtimeMs);
  for (const dir of include) {
    const full = join(root, dir);
    if (!existsSync(full)) continue;
    for (const entry of readdirSync(full, { recursive: true, withFileTypes: true })) {
      if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
        newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
    }
  }
  return newest;
}

if (force) rmSync(buildInfo, { force: true });
const upToDate =
  !force && existsSync(buildInfo) && existsSync(join(root, 'dist', 'gateway', 'cli.js')) && newestInput() <= statSync(buildInfo).mtimeMs;
if (!upToDate) {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', tsconfigPath, '--incremental', '--tsBuildInfoFile', buildInfo], {
      stdio: 'inherit',
      cwd: root,
    });
  } catch (error) {
    // tsc printed the errors. Its state would call the next build up to date: drop it.
    rmSync(buildInfo, { force: true });
    process.exit(error.status ?? 1);
  }
  // tsc leaves its state untouched when the inputs were only touched, not changed: mark them seen.
  const now = new Date();
  utimesSync(buildInfo, now, now);
}

const nativeStep = join(root, 'scripts', 'prepare-native.mjs');
if (existsSync(nativeStep)) {
  execFileSync(process.execPath, [nativeStep], { stdio: 'inherit', cwd: root });
}
