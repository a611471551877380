/**
 * `/live_profiler?mode=on|off` (PROTOCOL.md §11.5). Upstream's trace writer never writes (S13);
 * here `on` starts a CPU profile of the chosen process (first worker by default) and `off` writes
 * it to `monitoring.profiling_path` as a `.cpuprofile`. Status codes and bodies are upstream's.
 */
import { writeFileSync } from 'node:fs';
import { activity, logError } from '../../shared/log';
import type { Logger } from '../../shared/log';
import type { ProfileTargets, Target } from './profile-targets';
import { targetName } from './profile-targets';

export interface LiveProfilerAnswer {
  status: number;
  /** JSON body; absent for 304. */
  body?: Record<string, string>;
}

/** Creates (truncates) the profiling file at startup; false when it cannot be (logged). */
export function prepareProfilingFile(path: string, logger: Logger): boolean {
  if (path === '') return false;
  try {
    writeFileSync(path, '');
    return true;
  } catch (error) {
    logError(logger, 'profiling_file_error', error instanceof Error ? error : String(error), { path });
    return false;
  }
}

export class LiveProfiler {
  private on = false;
  private profiled: Target | undefined;

  constructor(
    /** undefined: `profiling_path` empty or not creatable ⇒ 405. */
    private readonly path: string | undefined,
    private readonly targets: ProfileTargets,
    private readonly logger: Logger,
  ) {}

  async request(mode: string | null, worker: string | null): Promise<LiveProfilerAnswer> {
    if (this.path === undefined) return { status: 405, body: { error: 'profiler not configured' } };
    if (mode === null || mode === '') return { status: 400, body: { error: 'mode not specified' } };
    const on = mode === 'on';
    if (on === this.on) return { status: 304 };
    this.on = on;
    try {
      if (mode === 'off') await this.stop(this.path);
      else await this.start(worker);
    } catch (error) {
      this.on = !on;
      const text = error instanceof Error ? error.message : String(error);
      logError(this.logger, 'live_profiler_error', text, { mode });
      return { status: 500, body: { error: text } };
    }
    return { status: 200, body: { result: `mode ${mode}` } };
  }

  private async start(worker: string | null): Promise<void> {
    if (this.profiled !== undefined) return; // already recording (upstream's mode=<other> while on)
    const selected = this.targets.select(worker);
    if (typeof selected === 'string') throw new Error(selected);
    const target = selected[0];
    await this.targets.startCpuProfile(target);
    this.profiled = target;
    activity(this.logger, 'live_profiler_started', { target: targetName(target) });
  }

  private async stop(path: string): Promise<void> {
    const target = this.profiled;
    if (target === undefined) return;
    this.profiled = undefined;
    const profile = await this.targets.stopCpuProfile(target);
    writeFileSync(path, JSON.stringify(profile));
    activity(this.logger, 'live_profiler_written', { target: targetName(target), path });
  }
}
