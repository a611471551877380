/**
 * CPU profiles and heap snapshots of the current process's main thread, with node:inspector (no
 * debugger port is opened). Profiles are Chrome DevTools `.cpuprofile` objects: load them in
 * DevTools (Performance / JavaScript Profiler) or speedscope.
 */
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';

export type CpuProfile = object;

function post(session: Session, method: string, params?: object): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve((result ?? {}) as Record<string, unknown>)));
  });
}

/** At most one profile runs per process (V8 allows several, but they would skew each other). */
export class CpuProfiler {
  private session: Session | undefined;

  get running(): boolean {
    return this.session !== undefined;
  }

  async start(): Promise<void> {
    if (this.session !== undefined) throw new Error('a CPU profile is already being recorded in this process');
    const session = new Session();
    session.connect();
    this.session = session;
    try {
      await post(session, 'Profiler.enable');
      await post(session, 'Profiler.start');
    } catch (error) {
      this.session = undefined;
      session.disconnect();
      throw error;
    }
  }

  async stop(): Promise<CpuProfile> {
    const session = this.session;
    if (session === undefined) throw new Error('no CPU profile is being recorded in this process');
    this.session = undefined;
    try {
      const { profile } = await post(session, 'Profiler.stop');
      return profile as CpuProfile;
    } finally {
      session.disconnect();
    }
  }

  async record(seconds: number): Promise<CpuProfile> {
    await this.start();
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    return this.stop();
  }
}

/** Writes a heap snapshot of this process into `dir`; blocks this thread while it is taken. */
export function heapSnapshot(dir: string): string {
  return writeHeapSnapshot(join(dir, `fleet-telemetry-${process.pid}-${Date.now()}.heapsnapshot`));
}
