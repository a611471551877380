import { parseBenchArgs } from './cli-options';

describe('--sinks', () => {
  test('selects sink configurations by label', () => {
    const o = parseBenchArgs(['--scenario', 'sinks', '--sinks', 'logger,null,kafka reliable']);
    expect(o !== 'help' && o.sinks).toEqual(['logger', 'null', 'kafka reliable']);
  });

  test('absent means every configuration', () => {
    const o = parseBenchArgs(['--scenario', 'sinks']);
    expect(o !== 'help' && o.sinks).toEqual([]);
  });

  test('an unknown label is an error naming it and the known ones', () => {
    expect(() => parseBenchArgs(['--scenario', 'sinks', '--sinks', 'logger,kafak'])).toThrow(
      /unknown configuration "kafak" \(known: logger, null, /,
    );
  });
});

describe('--compare', () => {
  const base = ['--scenario', 'throughput'];

  test('HOST:PORT with its CA, certificates and pid', () => {
    const o = parseBenchArgs([
      ...base,
      '--compare',
      'ref.local:4443',
      '--compare-ca',
      'ca.pem',
      '--compare-certs',
      'certs',
      '--compare-pid',
      '42',
    ]);
    expect(o !== 'help' && o.compare).toEqual({ host: 'ref.local', port: 4443, caFile: 'ca.pem', certsDir: 'certs', pid: 42 });
    expect(o !== 'help' && o.target).toBeUndefined();
  });

  test('the pid is optional; an IPv6 address loses its brackets', () => {
    const o = parseBenchArgs([...base, '--compare', '[::1]:4443', '--compare-ca', 'ca.pem', '--compare-certs', 'certs']);
    expect(o !== 'help' && o.compare).toEqual({ host: '::1', port: 4443, caFile: 'ca.pem', certsDir: 'certs', pid: undefined });
  });

  test('absent means no compared server', () => {
    const o = parseBenchArgs(base);
    expect(o !== 'help' && o.compare).toBeUndefined();
  });

  test('goes with --target (another server instead of ours)', () => {
    const o = parseBenchArgs([
      ...base,
      ...['--target', '10.0.0.5:443', '--ca', 'a.pem', '--certs', 'a', '--server-pid', '7'],
      ...['--compare', '10.0.0.6:443', '--compare-ca', 'b.pem', '--compare-certs', 'b'],
    ]);
    expect(o !== 'help' && [o.target?.host, o.target?.pid, o.compare?.host, o.compare?.caFile]).toEqual([
      '10.0.0.5',
      7,
      '10.0.0.6',
      'b.pem',
    ]);
  });

  test.each([
    [['--compare', 'ref.local'], /--compare must be HOST:PORT, got ref.local/],
    [['--compare', 'ref.local:0', '--compare-ca', 'c', '--compare-certs', 'd'], /--compare must be HOST:PORT/],
    [['--compare', 'ref.local:70000', '--compare-ca', 'c', '--compare-certs', 'd'], /--compare must be HOST:PORT/],
    [['--compare', 'ref.local:4443', '--compare-ca', 'c'], /--compare needs --compare-ca FILE and --compare-certs DIR/],
    [['--compare', 'ref.local:4443', '--compare-certs', 'd'], /--compare needs --compare-ca FILE and --compare-certs DIR/],
    [
      ['--compare', 'ref.local:4443', '--compare-ca', 'c', '--compare-certs', 'd', '--compare-pid', 'x'],
      /--compare-pid must be an integer/,
    ],
    [['--compare-ca', 'c'], /--compare-ca goes with --compare HOST:PORT, which is missing/],
    [['--compare-pid', '12'], /--compare-pid goes with --compare HOST:PORT/],
    [['--server-pid', '12'], /--server-pid goes with --target HOST:PORT/],
  ])('%j is an error naming the option', (args, message) => {
    expect(() => parseBenchArgs([...base, ...args])).toThrow(message);
  });
});

describe('--floods', () => {
  test('selects floods by name; absent means all', () => {
    const o = parseBenchArgs(['--scenario', 'floods', '--floods', 'pings-flat,unread-flat']);
    expect(o !== 'help' && o.floods).toEqual(['pings-flat', 'unread-flat']);
    const all = parseBenchArgs(['--scenario', 'floods']);
    expect(all !== 'help' && all.floods).toEqual([]);
  });

  test('an unknown name is an error naming it and the known ones', () => {
    expect(() => parseBenchArgs(['--scenario', 'floods', '--floods', 'pigns'])).toThrow(
      /unknown flood pigns \(known: unread, unread-flat, /,
    );
  });
});
