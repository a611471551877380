/**
 * Pauses and resumes a broker of test/services/<name> (SIGSTOP / SIGCONT to the pid in its state
 * file, .cache/services/<name>/server.pid): a hung server whose TCP connections stay open while
 * nothing answers, as `test/services/kafka pause` does for Kafka.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../shared/package-root';

function servicePid(name: string): number {
  const pid = Number(readFileSync(join(packageRoot(), '.cache', 'services', name, 'server.pid'), 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`test/services/${name}: no server pid`);
  return pid;
}

export function pauseService(name: string): void {
  process.kill(servicePid(name), 'SIGSTOP');
}

export function resumeService(name: string): void {
  process.kill(servicePid(name), 'SIGCONT');
}
