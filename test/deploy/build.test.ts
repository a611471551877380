/** `npm run build` as `npm start`, `npm run vehicle` and `npm test` run it: silent and quick when nothing changed. */
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../shared/package-root';

const root = packageRoot();

function build(): { status: number | null; output: string } {
  const run = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, encoding: 'utf8' });
  return { status: run.status, output: run.stdout + run.stderr };
}

test('a second build with nothing changed prints nothing and rewrites nothing', () => {
  expect(build().status).toBe(0); // brings dist/ up to date, whatever the state
  const outputs = ['dist/gateway/cli.js', 'dist/.tsbuildinfo', 'dist/native/prepared.json'].filter((f) => {
    try {
      statSync(join(root, f));
      return true;
    } catch {
      return false; // prepared.json exists only on Linux
    }
  });
  const before = outputs.map((f) => statSync(join(root, f)).mtimeMs);
  expect(build()).toEqual({ status: 0, output: '' });
  expect(outputs.map((f) => statSync(join(root, f)).mtimeMs)).toEqual(before);
});
