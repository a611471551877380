/** The CLI's subcommands (`fleet-telemetry <name> …`), one module each. Without one of these names
 * first, the command line is the server's own (`-config FILE`). */
import { UsageError, type CommandIo, type Subcommand } from './command-line';
import { checkConfigCommand } from './check-config';
import { checkServerCommand } from './check-server';
import { vehicleConfigCommand } from './vehicle-config';

export const SUBCOMMANDS: readonly Subcommand[] = [vehicleConfigCommand, checkServerCommand, checkConfigCommand];

export const SUBCOMMANDS_USAGE = [
  'Subcommands (each has --help):',
  ...SUBCOMMANDS.map((c) => `  fleet-telemetry ${c.name.padEnd(15)} ${c.summary}`),
].join('\n');

const PROCESS_IO: CommandIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

/** The exit code of the subcommand `argv[0]` names, or undefined when it names none. */
export async function runSubcommand(argv: readonly string[], io: CommandIo = PROCESS_IO): Promise<number | undefined> {
  const command = SUBCOMMANDS.find((c) => c.name === argv[0]);
  if (command === undefined) return undefined;
  try {
    return await command.run(argv.slice(1), io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`fleet-telemetry ${command.name}: ${error.message}\n(see fleet-telemetry ${command.name} --help)\n`);
      return 2;
    }
    io.err(`fleet-telemetry ${command.name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
