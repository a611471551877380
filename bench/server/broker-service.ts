/**
 * Brokers for the sinks scenario, through the repository's `test/services/<name>` scripts: `start`
 * prints KEY=VALUE lines and leaves the broker running; the bench stops only what it started (a
 * broker already running belongs to someone else).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../shared/package-root';

export interface RunningService {
  env: Record<string, string>;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 10 * 60_000;

function run(
  script: string,
  verb: string,
  env: Record<string, string>,
  timeoutMs: number,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(script, [verb], { env: { ...process.env, ...env }, timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

export async function startService(name: string, env: Record<string, string> = {}): Promise<RunningService> {
  const script = join(packageRoot(), 'test', 'services', name);
  if (!existsSync(script)) throw new Error(`no test/services/${name}`);
  const wasRunning = (await run(script, 'status', env, 30_000)).code === 0;
  const started = await run(script, 'start', env, START_TIMEOUT_MS);
  if (started.code !== 0) throw new Error(`test/services/${name} start failed: ${started.stderr.trim().split('\n').slice(-3).join(' / ')}`);
  const vars: Record<string, string> = {};
  for (const line of started.stdout.split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m !== null) vars[m[1]] = m[2];
  }
  return {
    env: vars,
    stop: async () => {
      if (!wasRunning) await run(script, 'stop', env, 60_000);
    },
  };
}
