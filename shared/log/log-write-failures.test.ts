import { EventEmitter } from 'node:events';
import { spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../package-root';
import { survivesLogWriteFailures } from './log-write-failures';
import type { LogWriteFailure } from './log-write-failures';

test('failed writes and dropped lines are reported once, by the first write that gets through', () => {
  const destination = new EventEmitter();
  const reports: LogWriteFailure[] = [];
  survivesLogWriteFailures(destination, (f) => reports.push(f));
  destination.emit('write', 10);
  expect(reports).toEqual([]);
  const full = Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
  destination.emit('error', full);
  destination.emit('error', full);
  destination.emit('drop', 'a line\n');
  expect(reports).toEqual([]);
  destination.emit('write', 10);
  destination.emit('write', 10);
  expect(reports).toEqual([{ error: 'ENOSPC', failedWrites: 2, droppedLines: 1 }]);
});

test('a process whose log is a full disk (/dev/full) keeps running instead of dying on its first line', () => {
  const logModule = join(packageRoot(), 'dist/shared/log/index.js');
  const script = `
    const { createLogger, activity, logError } = require(${JSON.stringify(logModule)});
    for (const json of [true, false]) {
      const logger = createLogger({ json, level: 'info' });
      for (let i = 0; i < 2000; i++) {
        activity(logger, 'socket_connected', { i, padding: 'x'.repeat(2000) });
        logError(logger, 'record_error', 'boom', { i });
      }
    }
    setImmediate(() => process.stdout.write('still serving'));`;
  const full = openSync('/dev/full', 'w');
  try {
    const run = spawnSync(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', full], encoding: 'utf8' });
    expect({ status: run.status, signal: run.signal, stdout: run.stdout }).toEqual({ status: 0, signal: null, stdout: 'still serving' });
  } finally {
    closeSync(full);
  }
});
