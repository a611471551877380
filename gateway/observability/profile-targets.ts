/**
 * Which processes a profiler request is about (`?worker=` on the profiler routes) and how each is
 * asked: the primary profiles itself, a worker is asked over IPC and profiles its main thread.
 */
import { CpuProfiler, heapSnapshot } from './cpu-profiler';
import type { CpuProfile } from './cpu-profiler';
import type { GcStats } from './runtime-sampler';
import type { WorkerRef, WorkerRequests } from './worker-requests';

export type Target = { kind: 'primary' } | { kind: 'worker'; ref: WorkerRef };

/** Extra time a worker gets beyond a profile's own duration (startup, serialising the profile). */
const ANSWER_SLACK_MS = 10_000;
const HEAP_SNAPSHOT_TIMEOUT_MS = 120_000;

export function targetName(target: Target): string {
  return target.kind === 'primary' ? 'primary' : `worker-${target.ref.slot}`;
}

export class ProfileTargets {
  private readonly primaryProfiler = new CpuProfiler();

  constructor(
    private readonly workers: () => WorkerRef[],
    private readonly requests: WorkerRequests,
    private readonly primaryGc: () => GcStats | undefined,
  ) {}

  /**
   * `worker` query value: absent ⇒ the first worker; `all` ⇒ every worker; `primary`; or a slot
   * number. A string is an error to show the caller.
   */
  select(worker: string | null): Target[] | string {
    const refs = [...this.workers()].sort((a, b) => a.slot - b.slot);
    if (worker === 'primary') return [{ kind: 'primary' }];
    if (worker === 'all') return refs.length > 0 ? refs.map((ref) => ({ kind: 'worker', ref })) : 'no worker is running';
    if (worker === null || worker === '') return refs.length > 0 ? [{ kind: 'worker', ref: refs[0] }] : 'no worker is running';
    const ref = refs.find((r) => String(r.slot) === worker);
    return ref === undefined ? `no running worker ${worker} (use 0-${refs.length - 1}, all or primary)` : [{ kind: 'worker', ref }];
  }

  cpuProfile(target: Target, seconds: number): Promise<CpuProfile> {
    if (target.kind === 'primary') return this.primaryProfiler.record(seconds);
    return this.requests.ask(target.ref, { kind: 'cpu-profile', seconds }, seconds * 1000 + ANSWER_SLACK_MS) as Promise<CpuProfile>;
  }

  async startCpuProfile(target: Target): Promise<void> {
    if (target.kind === 'primary') return this.primaryProfiler.start();
    await this.requests.ask(target.ref, { kind: 'cpu-profile-start' }, ANSWER_SLACK_MS);
  }

  stopCpuProfile(target: Target): Promise<CpuProfile> {
    if (target.kind === 'primary') return this.primaryProfiler.stop();
    return this.requests.ask(target.ref, { kind: 'cpu-profile-stop' }, ANSWER_SLACK_MS) as Promise<CpuProfile>;
  }

  async heapSnapshot(target: Target, dir: string): Promise<{ pid: number; path: string }> {
    if (target.kind === 'primary') return { pid: process.pid, path: heapSnapshot(dir) };
    return (await this.requests.ask(target.ref, { kind: 'heap-snapshot', dir }, HEAP_SNAPSHOT_TIMEOUT_MS)) as { pid: number; path: string };
  }

  async gcStats(target: Target): Promise<GcStats | undefined> {
    if (target.kind === 'primary') return this.primaryGc();
    return (await this.requests.ask(target.ref, { kind: 'gc-stats' }, ANSWER_SLACK_MS)) as GcStats | undefined;
  }
}
