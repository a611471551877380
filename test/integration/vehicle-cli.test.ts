/** `npm run vehicle` (dist/bench/vehicle-cli.js) as a new user meets it: no gateway, a wrong option. */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { freePort } from '../../shared/free-port';
import { packageRoot } from '../../shared/package-root';
import { testPki } from '../harness/gateway-process';

const cli = join(packageRoot(), 'dist', 'bench', 'vehicle-cli.js');

function runVehicle(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 30_000 });
}

test('with no gateway listening it says to start one or check --url, without the usage text', async () => {
  const pki = await testPki();
  const port = await freePort();
  const url = `wss://127.0.0.1:${port}/`;
  const run = runVehicle(['--url', url, '--pki', dirname(pki.caCert), '--vin', Object.keys(pki.vehicles)[0]]);
  expect(run.status).toBe(1);
  expect(run.stderr).toBe(
    `vehicle: no gateway is listening at ${url}: start one (\`npm start\` in another terminal) or point --url at yours\n`,
  );
});

test('a wrong option prints the message and the usage', () => {
  const run = runVehicle(['--cuont', '3']);
  expect(run.status).toBe(1);
  expect(run.stderr).toMatch(/^vehicle: Unknown option '--cuont'.*\nusage: npm run vehicle -- /s);
  const count = runVehicle(['--count', '0']);
  expect(count.stderr).toContain('vehicle: --count must be a positive integer, got 0\nusage:');
});
