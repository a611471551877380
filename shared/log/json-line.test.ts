import type pino from 'pino';
import { createLogger, jsonLine, jsonLineFormat, sortedJsonText } from './index';

/** A JSON logger whose lines are captured, and its fast-path format. */
function jsonLogger(base?: Record<string, unknown>) {
  const lines: string[] = [];
  const destination: pino.DestinationStream = { write: (s: string) => void lines.push(s) };
  const logger = createLogger({ json: true, level: 'info', destination, base });
  const format = jsonLineFormat(logger);
  if (format === undefined) throw new Error('a JSON logger has a line format');
  return { logger, lines, format };
}

const FIELD_SETS: Array<Record<string, unknown>> = [
  {},
  { vin: 'LRW3F7EK4NC000001', activity: true },
  { zeta: 1, alpha: { d: 1, b: [{ y: 1, x: 2 }] }, mid: [] },
  { n: 12345678901234567890n, f: 0.1, neg: -0, big: 1e21, tiny: 5e-324, nan: NaN, inf: -Infinity },
  { 'a"q': 'quote " and \\ backslash', 'a\u00e9': 'é \u2028 \u0001', b: 'tab\tnew\nline', '': 'empty key' },
  { skipped: undefined, fn: () => 1, arr: [undefined, () => 1, null, false], nested: { u: undefined } },
  { when: new Date(Date.UTC(2024, 4, 1, 12, 0, 0, 123)), data: { IsResend: false, CreatedAt: '1970-01-01T00:00:00Z', Vin: 'x' } },
  { context: 'replaced base field', pid: 7, error: null },
];

describe('jsonLine: the fast path writes what the pino path writes', () => {
  beforeEach(() => jest.useFakeTimers({ now: new Date(Date.UTC(2026, 10, 27, 22, 30, 1, 250)) }));
  afterEach(() => jest.useRealTimers());

  test.each(FIELD_SETS.map((fields, i) => [i, fields] as const))('field set %i', (_i, fields) => {
    const { logger, lines, format } = jsonLogger({ pid: 4242 });
    logger.info(fields, 'record_payload');
    expect(jsonLine(format, 'info', 'record_payload', fields)).toBe(lines[0]);
  });

  test('levels are written as the slow path writes them (warn is "warning")', () => {
    const { logger, lines, format } = jsonLogger();
    logger.error({ error: 'boom' }, 'record_logging_error');
    logger.warn({ x: 1 }, 'w');
    expect(jsonLine(format, 'error', 'record_logging_error', { error: 'boom' })).toBe(lines[0]);
    expect(jsonLine(format, 'warn', 'w', { x: 1 })).toBe(lines[1]);
  });

  test('the time follows the clock', () => {
    const { format } = jsonLogger();
    const first = JSON.parse(jsonLine(format, 'info', 'm', {})) as { time: string };
    jest.advanceTimersByTime(1500);
    const second = JSON.parse(jsonLine(format, 'info', 'm', {})) as { time: string };
    expect(first.time).toBe('2026-11-27T22:30:01.25Z');
    expect(second.time).toBe('2026-11-27T22:30:02.75Z');
  });
});

describe('jsonLineFormat', () => {
  test('logfmt loggers have none (their lines go through pino)', () => {
    const logger = createLogger({ json: false, level: 'info', destination: { write: () => undefined } });
    expect(jsonLineFormat(logger)).toBeUndefined();
  });
});

describe('sortedJsonText', () => {
  test('sorts keys at every depth and keeps int64 exact', () => {
    expect(sortedJsonText({ b: { d: 2n ** 63n - 1n, c: [{ z: 1, a: 2 }] }, a: 'x' })).toBe(
      '{"a":"x","b":{"c":[{"a":2,"z":1}],"d":9223372036854775807}}',
    );
  });

  test('values without JSON text', () => {
    expect(sortedJsonText(undefined)).toBeUndefined();
    expect(sortedJsonText(() => 1)).toBeUndefined();
    expect(sortedJsonText(Symbol('s'))).toBeUndefined();
  });
});
