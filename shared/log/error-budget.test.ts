import { ErrorBudget } from './error-budget';
import { createLogger } from './create-logger';
import { isReportedKind, observeErrors } from './error-reports';
import { logError } from './shapes';

describe('ErrorBudget', () => {
  test('at most perSecond per kind in each second, kinds counted apart', () => {
    let now = 5_000;
    const budget = new ErrorBudget(3, 64, () => now);
    const taken = (kind: string, n: number) => Array.from({ length: n }, () => budget.take(kind)).filter(Boolean).length;
    expect(taken('kafka_err', 10)).toBe(3);
    expect(taken('kinesis_err', 10)).toBe(3);
    now = 5_999;
    expect(taken('kafka_err', 1)).toBe(0);
    now = 6_000;
    expect(taken('kafka_err', 10)).toBe(3);
  });

  test('kinds beyond maxKinds in one second are refused', () => {
    const budget = new ErrorBudget(5, 2, () => 0);
    expect([budget.take('a'), budget.take('b'), budget.take('c'), budget.take('a')]).toEqual([true, true, false, true]);
  });
});

describe('error observer', () => {
  afterEach(() => observeErrors(undefined));

  test('logError offers every error line to the observer, even with error lines off', () => {
    const seen: unknown[] = [];
    observeErrors((kind, error, fields) => seen.push([kind, error, fields]));
    const silent = createLogger({ json: true, level: 'silent' });
    logError(silent, 'redis_err', new Error('connection reset'), { channel: 'V' });
    logError(silent, 'mqtt_err', null);
    expect(seen).toEqual([
      ['redis_err', 'connection reset', { channel: 'V' }],
      ['mqtt_err', null, undefined],
    ]);
  });

  test("a vehicle's own bad input is not reported; sink errors are", () => {
    expect(isReportedKind('unexpected_record')).toBe(false);
    expect(isReportedKind('vin_refused')).toBe(false);
    expect(isReportedKind('vin_allowlist_reload_error')).toBe(true);
    expect(isReportedKind('kafka_err')).toBe(true);
    expect(isReportedKind('zmq_dispatch_error')).toBe(true);
  });
});
