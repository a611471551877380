/** The logger factory every process and thread uses (PROTOCOL.md §11.6): pino writing synchronously
 * to stderr. No pino transports: they start threads of their own, and this logger must work inside
 * dispatch threads. pino drops disabled levels before serializing, so the formatting below (key
 * sorting, logfmt) only costs for lines that are written. */
import pino from 'pino';
import { outputLevelName, parseLogLevel } from './levels';
import { toLogfmtLine } from './logfmt';
import { registerJsonLineFormat, sortedJsonText } from './json-line';
import { sortJsonLine } from './sorted-json';
import { timestampField } from './time';
import { MAX_HELD_LOG_BYTES, survivesLogWriteFailures } from './log-write-failures';
import { logError } from './shapes';

export type Logger = pino.Logger;

export interface LoggerOptions {
  /** true: one JSON object per line, keys sorted; false: logfmt text (`json_log_enable`). */
  json: boolean;
  /** A §11.6 level name (any case), or `silent`; anything else means `info` (config/ reports it). */
  level: string;
  /** Where lines go; default: stderr, synchronous. */
  destination?: pino.DestinationStream;
  /** Extra fields on every line, e.g. `pid` in the gateway's processes (the cluster has several). */
  base?: Record<string, unknown>;
}

/** Base field of every line (§11.6). */
export const LOG_CONTEXT = 'fleet-telemetry';

export function createLogger(options: LoggerOptions): Logger {
  const level = options.level === 'silent' ? 'silent' : (parseLogLevel(options.level) ?? 'info');
  let stderr: ReturnType<typeof pino.destination> | undefined;
  const destination = options.destination ?? (stderr = pino.destination({ dest: 2, sync: true, maxLength: MAX_HELD_LOG_BYTES }));
  const base: Record<string, unknown> = { ...options.base, context: LOG_CONTEXT };
  const logger = pino(
    {
      level,
      base,
      messageKey: 'msg',
      timestamp: timestampField,
      formatters: { level: (label: string) => ({ level: outputLevelName(label) }) },
      hooks: { streamWrite: options.json ? sortJsonLine : toLogfmtLine },
    },
    destination,
  );
  if (options.json) {
    const members: Array<readonly [string, string]> = [];
    for (const key of Object.keys(base).sort()) {
      const text = sortedJsonText(base[key]);
      if (text !== undefined) members.push([key, text]);
    }
    registerJsonLineFormat(logger, { destination, base: members });
  }
  if (stderr !== undefined)
    survivesLogWriteFailures(stderr, (f) =>
      logError(logger, 'log_write_error', f.error, { failed_writes: f.failedWrites, dropped_lines: f.droppedLines }),
    );
  return logger;
}
