import type pino from 'pino';
import { activity, createLogger, logError, type Logger } from './index';

/** Captures written lines. */
function capture(): { lines: string[]; destination: pino.DestinationStream } {
  const lines: string[] = [];
  return { lines, destination: { write: (s: string) => void lines.push(s) } };
}

function jsonLogger(level = 'info'): { logger: Logger; lines: string[] } {
  const { lines, destination } = capture();
  return { logger: createLogger({ json: true, level, destination }), lines };
}

const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

describe('JSON lines (§11.6)', () => {
  test('one object per line, keys sorted at every depth, string level, context, RFC 3339 time', () => {
    const { logger, lines } = jsonLogger();
    logger.info({ zeta: 1, alpha: { d: 1, b: [{ y: 1, x: 2 }] }, msg2: 'x' }, 'hello');
    expect(lines).toHaveLength(1);
    const line = lines[0] as string;
    expect(line.endsWith('\n')).toBe(true);
    expect(line.split('\n')).toHaveLength(2);
    const time = (JSON.parse(line) as { time: string }).time;
    expect(time).toMatch(TIME);
    expect(line).toBe(
      `{"alpha":{"b":[{"x":2,"y":1}],"d":1},"context":"fleet-telemetry","level":"info","msg":"hello","msg2":"x","time":"${time}","zeta":1}\n`,
    );
  });

  test('keys are ordered by their decoded text and the last duplicate wins', () => {
    const { logger, lines } = jsonLogger();
    const child = logger.child({ b: 'child' });
    child.info({ b: 'call', 'a\u00e9': 1, 'a"q': 2 }, 'm');
    const parsed = JSON.parse(lines[0] as string) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['a"q', 'a\u00e9', 'b', 'context', 'level', 'msg', 'time']);
    expect(parsed.b).toBe('call');
  });

  test('numbers are copied as written (int64 stays exact)', () => {
    const { logger, lines } = jsonLogger();
    logger.info({ n: 12345678901234567890n, f: 0.1 }, 'm');
    expect(lines[0]).toMatch(/^\{"context":"fleet-telemetry","f":0\.1,"level":"info","msg":"m","n":12345678901234567890,"time":/);
  });

  test('warn is written as upstream writes it: warning', () => {
    const { logger, lines } = jsonLogger();
    logger.warn('w');
    expect(JSON.parse(lines[0] as string)).toMatchObject({ level: 'warning', msg: 'w' });
  });

  test('disabled levels write nothing and format nothing', () => {
    const { logger, lines } = jsonLogger('error');
    const fields = {
      get expensive(): number {
        throw new Error('must not be read');
      },
    };
    activity(logger, 'skipped', fields);
    logger.debug('skipped');
    logError(logger, 'kept', null);
    expect(lines).toHaveLength(1);
  });

  test.each([
    ['panic', 'fatal'],
    ['WARNING', 'warn'],
    ['Debug', 'debug'],
    ['trace', 'trace'],
    ['nonsense', 'info'],
    ['', 'info'],
    ['silent', 'silent'],
  ])('level %j ⇒ %s', (name, level) => {
    expect(jsonLogger(name).logger.level).toBe(level);
  });
});

describe('upstream log shapes', () => {
  test('activity: level info, activity true, fields kept', () => {
    const { logger, lines } = jsonLogger();
    activity(logger, 'socket_connected', { device_id: 'd1' });
    activity(logger, 'no_fields');
    const [first, second] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(first).toEqual({
      activity: true,
      context: 'fleet-telemetry',
      device_id: 'd1',
      level: 'info',
      msg: 'socket_connected',
      time: first?.time,
    });
    expect(second).toMatchObject({ activity: true, level: 'info', msg: 'no_fields' });
  });

  test('logError: level error, error text or null', () => {
    const { logger, lines } = jsonLogger();
    logError(logger, 'kafka_err', new Error('broker down'), { record_type: 'V' });
    logError(logger, 'plain', 'text error');
    logError(logger, 'none', null);
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed[0]).toMatchObject({ level: 'error', msg: 'kafka_err', error: 'broker down', record_type: 'V' });
    expect(parsed[0]).not.toHaveProperty('activity');
    expect(parsed[1]).toMatchObject({ level: 'error', error: 'text error' });
    expect(parsed[2]).toMatchObject({ level: 'error', msg: 'none', error: null });
    expect(lines[2]).toContain('"error":null');
  });
});

describe('text lines (logfmt)', () => {
  test('time, level, msg first, then sorted keys; quoting and nested JSON', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ json: false, level: 'info', destination });
    activity(logger, 'record payload', {
      b: 'has space',
      a: 'plain',
      e: '',
      q: 'say "hi"',
      eq: 'a=b',
      n: 5,
      nested: { z: 1, y: 'v' },
      nl: 'x\ny',
    });
    const line = lines[0] as string;
    const time = /^time=(\S+) /.exec(line)?.[1];
    expect(time).toMatch(TIME);
    expect(line).toBe(
      `time=${time} level=info msg="record payload" a=plain activity=true b="has space" context=fleet-telemetry e="" eq="a=b" ` +
        `n=5 nested="{\\"y\\":\\"v\\",\\"z\\":1}" nl="x\\ny" q="say \\"hi\\""\n`,
    );
  });

  test('error logs in text mode', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ json: false, level: 'info', destination });
    logError(logger, 'kafka_err', 'broker down');
    logError(logger, 'none', null);
    expect(lines[0]).toMatch(/^time=\S+ level=error msg=kafka_err context=fleet-telemetry error="broker down"\n$/);
    expect(lines[1]).toMatch(/^time=\S+ level=error msg=none context=fleet-telemetry error=null\n$/);
  });
});
