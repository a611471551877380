/**
 * A flood spread over several processes (floods-client.ts, from dist/: the tests run it too): ten
 * thousand TLS handshakes are more CPU than the process asking for them should spend, and more
 * sockets than one process may hold under a common descriptor limit.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../../shared/package-root';
import { withFdLimit } from '../server/fd-limit';
import type { FloodAnswer, FloodCommand, FloodPlan, FloodReport } from './floods-client';

function answerOf<T extends FloodAnswer['type']>(child: ChildProcess, type: T): Promise<Extract<FloodAnswer, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: FloodAnswer) => {
      if (m.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(m as Extract<FloodAnswer, { type: T }>);
    };
    const onExit = (code: number | null) => reject(new Error(`flood process exited (code ${code}) before answering ${type}`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** A report with nothing counted yet. */
export function emptyFloodReport(): FloodReport {
  return {
    attempts: 0,
    sessions: 0,
    endedBeforeSession: {},
    sessionsEndedByServer: 0,
    unsettled: 0,
    pingsSent: 0,
    pongs: 0,
    bytesSent: 0,
  };
}

export function addReports(reports: readonly FloodReport[]): FloodReport {
  const sum = emptyFloodReport();
  for (const r of reports) {
    sum.attempts += r.attempts;
    sum.sessions += r.sessions;
    sum.sessionsEndedByServer += r.sessionsEndedByServer;
    sum.unsettled += r.unsettled;
    sum.pingsSent += r.pingsSent;
    sum.pongs += r.pongs;
    sum.bytesSent += r.bytesSent;
    for (const [how, n] of Object.entries(r.endedBeforeSession)) sum.endedBeforeSession[how] = (sum.endedBeforeSession[how] ?? 0) + n;
  }
  return sum;
}

/** Connections that ended before a session, all ways together. */
export function endedBeforeSession(r: FloodReport): number {
  return Object.values(r.endedBeforeSession).reduce((a, b) => a + b, 0);
}

export class FloodProcesses {
  private constructor(private readonly children: ChildProcess[]) {}

  /** `plan.connections` split over `processes` processes; resolves once each has started. */
  static async start(plan: FloodPlan, processes: number): Promise<FloodProcesses> {
    const entry = join(packageRoot(), 'dist', 'bench', 'scenarios', 'floods-client.js');
    const [execPath, execArgv] = withFdLimit(process.execPath, []);
    const children = Array.from({ length: processes }, () =>
      fork(entry, [], { execPath, execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, NODE_OPTIONS: '' } }),
    );
    const flood = new FloodProcesses(children);
    try {
      await Promise.all(
        children.map((child, i) => {
          const share = Math.floor(plan.connections / processes) + (i < plan.connections % processes ? 1 : 0);
          const started = answerOf(child, 'started');
          child.send({ type: 'start', plan: { ...plan, connections: share } } satisfies FloodCommand);
          return started;
        }),
      );
    } catch (error) {
      flood.kill();
      throw error;
    }
    return flood;
  }

  pids(): number[] {
    return this.children.map((c) => c.pid ?? -1).filter((pid) => pid > 0);
  }

  /** What the flood's processes counted so far, added up (the flood goes on). */
  async progress(): Promise<FloodReport> {
    const reports = await Promise.all(
      this.children.map((child) => {
        const report = answerOf(child, 'progress');
        child.send({ type: 'progress' } satisfies FloodCommand);
        return report;
      }),
    );
    return addReports(reports.map((r) => r.report));
  }

  /** Stops the flood (a wave of connections under way may end first, within `settleMs`) and adds up the reports. */
  async stop(settleMs = 60_000): Promise<FloodReport> {
    try {
      const reports = await Promise.all(
        this.children.map((child) => {
          const report = answerOf(child, 'report');
          child.send({ type: 'stop', settleMs } satisfies FloodCommand);
          return report;
        }),
      );
      return addReports(reports.map((r) => r.report));
    } finally {
      this.kill();
    }
  }

  kill(): void {
    for (const c of this.children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }
}
