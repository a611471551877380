/** Turns the CPU profiles a --profile run left behind into a table and a JSON summary. */
import { existsSync } from 'node:fs';
import { packageRoot } from '../../shared/package-root';
import { summariseProfiles } from '../report/cpu-profile';
import type { ProfileSet, ProfileSummary } from '../report/cpu-profile';
import type { Table } from '../report/table';
import { num, pct } from '../report/table';

export interface ProfileReport extends ProfileSet {
  dir: string;
}

export function profileReport(dir: string | undefined): ProfileReport | undefined {
  if (dir === undefined || !existsSync(dir)) return undefined;
  const set = summariseProfiles(dir, packageRoot());
  if (set.perProfile.length === 0) return undefined;
  return { dir, ...set };
}

/** Top functions of the main threads (event loops) and of the worker threads (dispatch lanes). */
export function profileTables(label: string, report: ProfileReport): Table[] {
  const table = (what: string, s: ProfileSummary): Table => ({
    title: `${label} ${what}: top functions by self time (${num(s.busyMs)} ms busy, ${num(s.idleMs)} ms waiting; profiles in ${report.dir})`,
    header: ['function', 'location', 'self ms', 'of busy'],
    rows: s.top.map((f) => [f.function, f.location, num(f.selfMs), pct(f.selfShare)]),
  });
  return [table('main threads', report.mainThreads), table('dispatch threads', report.workerThreads)];
}
