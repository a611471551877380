/** What every subcommand shares: flag parsing (`--name value`, `--name=value`, one or two dashes,
 * as the server's own `-config` flag), and a report printed for a person or as JSON. */

/** Where a subcommand writes; the CLI passes process.stdout/stderr, tests pass buffers. */
export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
}

export interface Subcommand {
  name: string;
  summary: string;
  /** Full --help text, with an example. */
  help: string;
  /** Resolves with the exit code. */
  run(argv: readonly string[], io: CommandIo): Promise<number>;
}

export class UsageError extends Error {}

export interface ParsedFlags {
  values: Map<string, string[]>;
  booleans: Set<string>;
  positional: string[];
}

/** `booleanFlags` take no value; every other declared flag takes one. Unknown flags are errors. */
export function parseFlags(argv: readonly string[], valueFlags: readonly string[], booleanFlags: readonly string[]): ParsedFlags {
  const parsed: ParsedFlags = { values: new Map(), booleans: new Set(), positional: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('-') || arg === '-') {
      parsed.positional.push(arg);
      continue;
    }
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq < 0 ? body : body.slice(0, eq);
    const inline = eq < 0 ? undefined : body.slice(eq + 1);
    if (booleanFlags.includes(name) || name === 'help' || name === 'h') {
      if (inline !== undefined) throw new UsageError(`flag -${name} takes no value`);
      parsed.booleans.add(name === 'h' ? 'help' : name);
    } else if (valueFlags.includes(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`flag needs an argument: -${name}`);
      parsed.values.set(name, [...(parsed.values.get(name) ?? []), value]);
    } else {
      throw new UsageError(`flag provided but not defined: -${name}`);
    }
  }
  return parsed;
}

export function lastValue(flags: ParsedFlags, name: string): string | undefined {
  return flags.values.get(name)?.at(-1);
}

/** One finding of a check: `key` names the config key (or certificate) it concerns. */
export interface Finding {
  level: 'error' | 'warning';
  key: string;
  message: string;
}

/** Prints findings and returns the exit code: 1 when any is an error. */
export function printFindings(io: CommandIo, findings: readonly Finding[], okText: string): number {
  for (const f of findings) io.out(`${f.level}: ${f.key}: ${f.message}\n`);
  const errors = findings.filter((f) => f.level === 'error').length;
  if (errors === 0) io.out(`${okText}\n`);
  else io.out(`${errors} error${errors === 1 ? '' : 's'}\n`);
  return errors === 0 ? 0 : 1;
}

export function printJson(io: CommandIo, value: unknown): void {
  io.out(`${JSON.stringify(value, null, 2)}\n`);
}

export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.level === 'error');
}
