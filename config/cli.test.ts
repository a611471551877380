import { ConfigError, parseCliArgs } from './index';

function cliError(argv: string[]): ConfigError {
  try {
    parseCliArgs(argv);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('parseCliArgs (Go flag style, §12.1)', () => {
  test('defaults', () => {
    expect(parseCliArgs([])).toEqual({ configPath: 'config.json', dev: false, help: false });
  });

  test.each([
    [['-config', '/etc/fleet-telemetry/config.json']],
    [['-config=/etc/fleet-telemetry/config.json']],
    [['--config', '/etc/fleet-telemetry/config.json']],
    [['--config=/etc/fleet-telemetry/config.json']],
  ])('%j', (argv) => {
    expect(parseCliArgs(argv).configPath).toBe('/etc/fleet-telemetry/config.json');
  });

  test('a value may contain "="', () => {
    expect(parseCliArgs(['-config=a=b.json']).configPath).toBe('a=b.json');
  });

  test('--dev and -dev, also with a boolean value', () => {
    expect(parseCliArgs(['--dev']).dev).toBe(true);
    expect(parseCliArgs(['-dev', '-config', 'x.json'])).toEqual({ configPath: 'x.json', dev: true, help: false });
    expect(parseCliArgs(['-dev=false']).dev).toBe(false);
    expect(cliError(['-dev=maybe']).message).toMatch(/^invalid boolean value "maybe" for -dev/);
  });

  test.each([['-h'], ['-help'], ['--help']])('%s asks for help', (flag) => {
    expect(parseCliArgs([flag]).help).toBe(true);
  });

  test('an unknown flag is named', () => {
    const error = cliError(['-config', 'x.json', '--port=1']);
    expect(error.code).toBe('CONFIG_CLI');
    expect(error.key).toBe('--port=1');
    expect(error.message).toMatch(/^flag provided but not defined: -port\n/);
  });

  test('a flag without its value', () => {
    expect(cliError(['-config']).message).toMatch(/^flag needs an argument: -config\n/);
  });

  test('positional arguments are refused', () => {
    expect(cliError(['config.json']).message).toMatch(/^unexpected argument: config\.json \(did you mean -config config\.json\?\)/);
    expect(cliError(['--', 'x']).message).toMatch(/^unexpected argument: x/);
    expect(parseCliArgs(['-dev', '--'])).toEqual({ configPath: 'config.json', dev: true, help: false });
  });
});
