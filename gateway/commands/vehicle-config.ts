/** `fleet-telemetry vehicle-config`: build a vehicle configuration, or check one with `--check FILE`. */
import { readFileSync } from 'node:fs';
import { hasErrors, lastValue, parseFlags, printFindings, printJson, UsageError } from './command-line';
import type { CommandIo, Finding, Subcommand } from './command-line';
import { buildVehicleConfig, checkVehicleConfig, type BuildInput } from './vehicle-config-rules';

const HELP = `Usage:
  fleet-telemetry vehicle-config --hostname NAME --ca FILE --field NAME=SECONDS … [--port P] [--alert-type T …] [--json]
  fleet-telemetry vehicle-config --from INPUT.json [--json]
  fleet-telemetry vehicle-config --check VEHICLE_CONFIG.json [--json]

Builds the vehicle configuration to share with vehicles (printed on stdout), or checks one: field
names exist in vehicle_data.proto, intervals are positive integers, alert types are known, the CA
parses and is a CA certificate, the hostname is a name and not a URL. Exits 1 on any error.

  --hostname NAME        server name vehicles connect to (must be in the server certificate's SAN)
  --port P               server port, when not 443
  --ca FILE              PEM file of the CA certificate(s) that sign the server certificate
  --field NAME=SECONDS   a field to stream and its interval (repeat the flag)
  --alert-type T         customer, service or service_fix (repeat the flag)
  --from FILE            the same inputs as a JSON file:
                         {"hostname": "…", "port": 443, "ca_file": "ca.pem",
                          "fields": {"BatteryLevel": 60}, "alert_types": ["service"]}
  --check FILE           check an existing vehicle configuration instead of building one
  --json                 findings as JSON (for pipelines)

Example:
  fleet-telemetry vehicle-config --hostname telemetry.example.com --ca ca.pem \\
    --field VehicleSpeed=10 --field BatteryLevel=60 --alert-type service > vehicle-config.json
  fleet-telemetry vehicle-config --check vehicle-config.json`;

export const vehicleConfigCommand: Subcommand = {
  name: 'vehicle-config',
  summary: 'build or check (--check FILE) a vehicle configuration',
  help: HELP,
  async run(argv, io) {
    const flags = parseFlags(argv, ['hostname', 'port', 'ca', 'field', 'alert-type', 'from', 'check'], ['json']);
    if (flags.booleans.has('help')) {
      io.out(`${HELP}\n`);
      return 0;
    }
    if (flags.positional.length > 0) throw new UsageError(`unexpected argument: ${flags.positional[0]}`);
    const json = flags.booleans.has('json');
    const checkPath = lastValue(flags, 'check');
    if (checkPath !== undefined) return check(checkPath, json, io);

    const from = lastValue(flags, 'from');
    const input = from !== undefined ? inputFromFile(from) : inputFromFlags(flags.values);
    const config = buildVehicleConfig(input);
    const findings = checkVehicleConfig(config);
    if (hasErrors(findings)) {
      report(io, json, findings, '');
      return 1;
    }
    for (const f of findings) io.err(`${f.level}: ${f.key}: ${f.message}\n`);
    printJson(io, config);
    return 0;
  },
};

async function check(path: string, json: boolean, io: CommandIo): Promise<number> {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    return report(io, json, [{ level: 'error', key: path, message: error instanceof Error ? error.message : String(error) }], '');
  }
  return report(io, json, checkVehicleConfig(value), `${path}: ok`);
}

function report(io: CommandIo, json: boolean, findings: readonly Finding[], okText: string): number {
  if (!json) return printFindings(io, findings, okText);
  printJson(io, { ok: !hasErrors(findings), findings });
  return hasErrors(findings) ? 1 : 0;
}

function inputFromFlags(values: ReadonlyMap<string, string[]>): BuildInput {
  const one = (name: string): string | undefined => values.get(name)?.at(-1);
  const hostname = one('hostname');
  const caFile = one('ca');
  if (hostname === undefined || caFile === undefined) throw new UsageError('--hostname and --ca are required (or --from FILE)');
  const fields = (values.get('field') ?? []).map((spec): [string, number] => {
    const eq = spec.lastIndexOf('=');
    if (eq <= 0 || !/^\d+$/.test(spec.slice(eq + 1)))
      throw new UsageError(`--field ${spec}: expected NAME=SECONDS, SECONDS a whole number`);
    return [spec.slice(0, eq), Number(spec.slice(eq + 1))];
  });
  const port = one('port');
  return {
    hostname,
    port: port === undefined ? undefined : Number(port),
    caPem: readCa(caFile),
    fields,
    alertTypes: values.get('alert-type') ?? [],
  };
}

function inputFromFile(path: string): BuildInput {
  const input = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  if (typeof input.ca_file !== 'string') throw new UsageError(`${path}: "ca_file" (path of the CA PEM file) is required`);
  const fields = typeof input.fields === 'object' && input.fields !== null ? Object.entries(input.fields as Record<string, unknown>) : [];
  return {
    hostname: String(input.hostname ?? ''),
    port: typeof input.port === 'number' ? input.port : undefined,
    caPem: readCa(input.ca_file),
    fields: fields.map(([name, seconds]) => [name, Number(seconds)] as const),
    alertTypes: Array.isArray(input.alert_types) ? input.alert_types.map(String) : [],
  };
}

function readCa(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read CA file ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
