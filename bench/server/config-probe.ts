/**
 * Asks the gateway itself whether it accepts a config: starts it, and reports the startup error if
 * it exits, or success once a worker listens. The sinks scenario uses it to tell "sink not
 * available yet" (an unknown dispatcher, DEVIATIONS D8) from a sink it can measure.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../shared/package-root';
import { listenerCount } from './listening-sockets';

export type ProbeResult = { ok: true } | { ok: false; error: string };

export async function probeGatewayConfig(
  config: Record<string, unknown>,
  port: number,
  env: Record<string, string> = {},
  timeoutMs = 20_000,
): Promise<ProbeResult> {
  const dir = mkdtempSync(join(tmpdir(), 'ft-bench-probe-'));
  const configPath = join(dir, 'config.json');
  writeFileSync(configPath, JSON.stringify(config));
  const child = spawn(process.execPath, [join(packageRoot(), 'dist', 'gateway', 'cli.js'), `-config=${configPath}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  const deadline = Date.now() + timeoutMs;
  while (exitCode === undefined && listenerCount(port) === 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const listening = listenerCount(port) > 0;
  if (exitCode !== undefined) return { ok: false, error: lastErrorLine(stderr) };
  child.kill('SIGTERM');
  await exited;
  return listening ? { ok: true } : { ok: false, error: `did not listen within ${timeoutMs} ms` };
}

function lastErrorLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  return (lines.find((l) => l.includes('load_service_config')) ?? lines[lines.length - 1] ?? '').slice(0, 400);
}
