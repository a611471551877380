// Build: compile TypeScript to dist/, then prepare native pieces the acceptor may need.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json')], { stdio: 'inherit', cwd: root });

const nativeStep = join(root, 'scripts', 'prepare-native.mjs');
if (existsSync(nativeStep)) {
  execFileSync(process.execPath, [nativeStep], { stdio: 'inherit', cwd: root });
}
