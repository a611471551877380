/**
 * A server the bench starts and measures (the gateway or the ceiling): spawned in its own process
 * group with a raised descriptor limit, its stderr sent to /dev/null (or a file), ready when every
 * worker listens, and stopped with SIGTERM so it drains (and writes its CPU profiles) before exit.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { withFdLimit } from './fd-limit';
import { listenerCount } from './listening-sockets';

export interface LocalServerOptions {
  label: string;
  script: string;
  args: string[];
  /** Options for node itself (e.g. --cpu-prof: not allowed in NODE_OPTIONS on Node 20; cluster workers inherit them). */
  nodeArgs?: string[];
  port: number;
  /** Listening sockets on `port` that mean "ready" (one per worker). */
  listeners: number;
  /** Where its stderr goes; default /dev/null (the logger sink writes a line per record). */
  logFile?: string;
  env?: Record<string, string>;
  startTimeoutMs?: number;
}

const STOP_TIMEOUT_MS = 30_000;

/**
 * Servers run in their own process groups (so a stop reaches their workers), which also means
 * they would outlive an interrupted or crashed bench: whatever is still running when this process
 * exits is killed, group and all.
 */
const running = new Set<number>();
process.once('exit', () => {
  for (const pgid of running) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

export class LocalServer {
  private readonly exited: Promise<number | null>;
  private exitCode: number | null | undefined;

  private constructor(
    readonly label: string,
    readonly port: number,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) =>
      child.on('exit', (code) => {
        this.exitCode = code;
        resolve(code);
      }),
    );
  }

  static async start(o: LocalServerOptions): Promise<LocalServer> {
    const log = openSync(o.logFile ?? '/dev/null', 'a');
    const [command, args] = withFdLimit(process.execPath, [...(o.nodeArgs ?? []), o.script, ...o.args]);
    let child: ChildProcess;
    try {
      child = spawn(command, args, { stdio: ['ignore', log, log], detached: true, env: { ...process.env, ...o.env } });
    } finally {
      closeSync(log);
    }
    const server = new LocalServer(o.label, o.port, child);
    if (child.pid !== undefined) running.add(child.pid);
    const deadline = Date.now() + (o.startTimeoutMs ?? 60_000);
    while (listenerCount(o.port) < o.listeners) {
      if (server.exitCode !== undefined) {
        throw new Error(`${o.label} exited with code ${server.exitCode} before listening (run with --server-log FILE to see why)`);
      }
      if (Date.now() > deadline) {
        await server.stop();
        throw new Error(`${o.label} did not listen on port ${o.port} within ${o.startTimeoutMs ?? 60_000} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return server;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** SIGTERM (the gateway drains), then SIGKILL to its whole process group if it takes too long. */
  async stop(): Promise<void> {
    if (this.exitCode === undefined) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => {
        try {
          process.kill(-this.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }, STOP_TIMEOUT_MS);
      await this.exited;
      clearTimeout(timer);
    }
    // Workers leave on their own after draining; wait until the group is empty.
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    while (groupAlive(this.pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    if (groupAlive(this.pid)) process.kill(-this.pid, 'SIGKILL');
    running.delete(this.pid);
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A free loopback port (the kernel's pick; released just before the server binds it). */
