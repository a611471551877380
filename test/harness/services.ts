/**
 * Starts and stops the real brokers of test/services/<name> (ARCHITECTURE.md): `start` prints the
 * KEY=VALUE lines a client needs. A broker that cannot start fails the test run loudly.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../../shared/package-root';

function run(name: string, args: string[], env: Record<string, string>): Promise<string> {
  const script = join(packageRoot(), 'test', 'services', name);
  return new Promise((resolve, reject) => {
    execFile(script, args, { env: { ...process.env, ...env }, timeout: 600_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`test/services/${name} ${args.join(' ')} failed: ${error.message}\n${stderr.slice(-4000)}`));
      else resolve(stdout);
    });
  });
}

/** Starts the broker and returns the variables it printed, e.g. { KAFKA_BROKERS: '127.0.0.1:19092' }. */
export async function startService(name: string, env: Record<string, string> = {}): Promise<Record<string, string>> {
  const out = await run(name, ['start'], env);
  const vars: Record<string, string> = {};
  for (const line of out.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) vars[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return vars;
}

export async function stopService(name: string, ...args: string[]): Promise<void> {
  await run(name, ['stop', ...args], {});
}

/** `kill`: SIGKILL, data kept (a crash); `start` then recovers it. Only some services have it (kafka). */
export async function killService(name: string): Promise<void> {
  await run(name, ['kill'], {});
}

/** `stop` for an instance started with its own env knobs (another port or run dir, e.g. `KAFKA_RUN_DIR`). */
export async function stopServiceWith(name: string, env: Record<string, string>, ...args: string[]): Promise<void> {
  await run(name, ['stop', ...args], env);
}
