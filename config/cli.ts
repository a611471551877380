/** Command line, Go `flag` style (PROTOCOL.md §12.1): `-config <path>`, `-config=<path>`, and the
 * same with `--`; default `config.json`. Our addition: `-dev` / `--dev`. */
import { ConfigError } from './errors';

export interface CliArgs {
  configPath: string;
  /** Run with the development setup (our addition). */
  dev: boolean;
  /** `-h` / `-help` / `--help` was given: print CLI_USAGE and exit 0. */
  help: boolean;
}

export const DEFAULT_CONFIG_PATH = 'config.json';

export const CLI_USAGE = [
  'Usage: fleet-telemetry [-config <path>] [-dev]',
  '  -config <path>  config file (default "config.json"); also -config=<path>, --config <path>',
  '  -dev            development mode',
  '  -h, -help       show this help',
].join('\n');

/** Go's flag texts, which name the flag (`flag provided but not defined: -foo`). */
function cliError(message: string, flag: string): ConfigError {
  return new ConfigError('CONFIG_CLI', `${message}\n${CLI_USAGE}`, flag);
}

/** Go accepts these for a boolean flag's `=value` (strconv.ParseBool). */
const BOOL_VALUES: Readonly<Record<string, boolean>> = {
  '1': true,
  t: true,
  T: true,
  TRUE: true,
  true: true,
  True: true,
  '0': false,
  f: false,
  F: false,
  FALSE: false,
  false: false,
  False: false,
};

/** `argv` without the node and script entries (process.argv.slice(2)). */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  const args: CliArgs = { configPath: DEFAULT_CONFIG_PATH, dev: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    // Go's flag package stops at `--`; upstream takes no positional arguments, so none may follow.
    if (arg === '--') {
      if (i + 1 < argv.length) throw cliError(`unexpected argument: ${argv[i + 1]}`, argv[i + 1] as string);
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      // Go would silently ignore it; a forgotten `-config` would then load ./config.json instead.
      throw cliError(`unexpected argument: ${arg} (did you mean -config ${arg}?)`, arg);
    }
    const body = arg.startsWith('--') ? arg.slice(2) : arg.slice(1);
    const eq = body.indexOf('=');
    const name = eq < 0 ? body : body.slice(0, eq);
    const inline = eq < 0 ? undefined : body.slice(eq + 1);
    switch (name) {
      case 'config': {
        const value = inline ?? argv[++i];
        if (value === undefined) throw cliError(`flag needs an argument: -${name}`, `-${name}`);
        args.configPath = value;
        break;
      }
      case 'dev':
      case 'h':
      case 'help': {
        let on = true;
        if (inline !== undefined) {
          const parsed = Object.prototype.hasOwnProperty.call(BOOL_VALUES, inline) ? BOOL_VALUES[inline] : undefined;
          if (parsed === undefined) throw cliError(`invalid boolean value "${inline}" for -${name}`, `-${name}`);
          on = parsed;
        }
        if (name === 'dev') args.dev = on;
        else args.help = on;
        break;
      }
      default:
        throw cliError(`flag provided but not defined: -${name}`, arg);
    }
  }
  return args;
}
