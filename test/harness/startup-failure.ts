/**
 * Runs the built gateway with a config that must not start, and waits for the text that says why
 * on its stderr. A worker whose sinks fail to start exits with `worker <pid> failed to start: …`;
 * the primary then restarts it with a backoff, so the process tree is stopped here once the text
 * has been seen (or it exits by itself, e.g. on a config error).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../shared/package-root';
import { testPki } from './gateway-process';

const EXIT_GRACE_MS = 2_000;

export interface StartupFailure {
  /** Everything the gateway wrote to stderr. */
  stderr: string;
  /** The exit code when it exited by itself before the text was seen or the timeout passed. */
  exitCode: number | null | undefined;
  /** Whether it ever logged `server_listening`. */
  listened: boolean;
}

export async function expectStartupFailure(
  config: Record<string, unknown>,
  env: Record<string, string>,
  expected: RegExp,
  timeoutMs = 60_000,
): Promise<StartupFailure> {
  const pki = await testPki();
  const dir = mkdtempSync(join(tmpdir(), 'ft-startup-'));
  const configPath = join(dir, 'config.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      host: '127.0.0.1',
      port: 0,
      json_log_enable: true,
      tls: { server_cert: pki.serverCert, server_key: pki.serverKey, ca_file: pki.caCert },
      gateway: { workers: 1, dispatch_threads: 1 },
      ...config,
    }),
  );
  const child = spawn(process.execPath, [join(packageRoot(), 'dist', 'gateway', 'cli.js'), `-config=${configPath}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stderr = '';
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) =>
    child.on('close', (code) => {
      exitCode = code;
      resolve();
    }),
  );
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
      if (expected.test(stderr)) {
        clearTimeout(timer);
        // A process that exits on its own (a config error) gets the chance to.
        setTimeout(resolve, EXIT_GRACE_MS);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
  const exitedBySelf = exitCode !== undefined;
  if (!exitedBySelf) {
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(killer);
  }
  return { stderr, exitCode: exitedBySelf ? exitCode : undefined, listened: stderr.includes('"server_listening"') };
}
