/**
 * Thousands of connections need thousands of file descriptors in the server and the generators.
 * Processes the bench starts run under `prlimit --nofile=N:N` when that works here (it needs
 * CAP_SYS_RESOURCE, which containers often drop even for root); otherwise they inherit the
 * current limit, which the bench records and checks against the connections it is asked for.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const WANTED_NOFILE = 65_536;
const PRLIMIT = '/usr/bin/prlimit';

let raisable: boolean | undefined;

export function canRaiseFdLimit(): boolean {
  if (raisable === undefined) {
    try {
      execFileSync(PRLIMIT, [`--nofile=${WANTED_NOFILE}:${WANTED_NOFILE}`, 'true'], { stdio: 'ignore' });
      raisable = existsSync(PRLIMIT);
    } catch {
      raisable = false;
    }
  }
  return raisable;
}

/** The descriptor limit of the processes the bench starts. */
export function effectiveFdLimit(): number {
  if (canRaiseFdLimit()) return WANTED_NOFILE;
  const out = execFileSync('/bin/sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim();
  return out === 'unlimited' ? Number.POSITIVE_INFINITY : Number(out);
}

/** [command, args] that runs `command args` with the raised limit when possible. */
export function withFdLimit(command: string, args: readonly string[]): [string, string[]] {
  if (!canRaiseFdLimit()) return [command, [...args]];
  return [PRLIMIT, [`--nofile=${WANTED_NOFILE}:${WANTED_NOFILE}`, command, ...args]];
}
