import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCa, issueCertificate } from '../../shared/pki';
import type { CommandIo } from './command-line';
import { runSubcommand } from './index';
import { ALERT_TYPES, checkVehicleConfig, closestNames, FIELD_NAMES } from './vehicle-config-rules';

let caPem: string;
let leafPem: string;
beforeAll(async () => {
  const ca = await createCa({ commonName: 'Server CA' });
  caPem = ca.certPem;
  leafPem = (await issueCertificate(ca, { commonName: 'telemetry.example.com', isServer: true, dnsNames: ['telemetry.example.com'] }))
    .certPem;
});

function good(): Record<string, unknown> {
  return {
    hostname: 'telemetry.example.com',
    port: 4443,
    ca: caPem,
    fields: { VehicleSpeed: { interval_seconds: 10 }, BatteryLevel: { interval_seconds: 60, minimum_delta: 1 } },
    alert_types: ['service', 'customer'],
  };
}

const errorKeys = (value: unknown): string[] =>
  checkVehicleConfig(value)
    .filter((f) => f.level === 'error')
    .map((f) => f.key);

describe('checkVehicleConfig', () => {
  test('a correct configuration has no findings', () => {
    expect(checkVehicleConfig(good())).toEqual([]);
  });

  test('field names come from vehicle_data.proto, and a typo gets the closest names', () => {
    expect(FIELD_NAMES).toContain('VehicleSpeed');
    expect(FIELD_NAMES).not.toContain('Unknown');
    const findings = checkVehicleConfig({ ...good(), fields: { VehicleSped: { interval_seconds: 10 } } });
    expect(findings).toEqual([
      { level: 'error', key: 'fields.VehicleSped', message: expect.stringMatching(/no such field.*did you mean VehicleSpeed/) },
    ]);
    expect(closestNames('batterylevel', FIELD_NAMES)[0]).toBe('BatteryLevel');
  });

  test('intervals are positive integers; each error names its key', () => {
    const fields = { VehicleSpeed: { interval_seconds: 0 }, Odometer: { interval_seconds: 1.5 }, Gear: {}, Soc: { interval_seconds: '5' } };
    expect(errorKeys({ ...good(), fields })).toEqual([
      'fields.VehicleSpeed.interval_seconds',
      'fields.Odometer.interval_seconds',
      'fields.Gear.interval_seconds',
      'fields.Soc.interval_seconds',
    ]);
  });

  test('alert types are the Audience enum in snake case', () => {
    expect(ALERT_TYPES).toEqual(['customer', 'service', 'service_fix']);
    expect(errorKeys({ ...good(), alert_types: ['service', 'Service', 'owner'] })).toEqual(['alert_types[1]', 'alert_types[2]']);
  });

  test('the CA must parse and be a CA certificate', () => {
    expect(checkVehicleConfig({ ...good(), ca: leafPem })).toEqual([
      { level: 'error', key: 'ca', message: expect.stringContaining('is not a CA certificate') },
    ]);
    expect(errorKeys({ ...good(), ca: 'not pem' })).toEqual(['ca']);
    expect(errorKeys({ ...good(), ca: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' })).toEqual(['ca']);
  });

  test('the hostname is a name, not a URL or host:port', () => {
    for (const hostname of ['https://telemetry.example.com', 'telemetry.example.com/ws', 'telemetry.example.com:443', 'bad_name!', '']) {
      expect(errorKeys({ ...good(), hostname })).toEqual(['hostname']);
    }
    expect(errorKeys({ ...good(), hostname: '192.0.2.10' })).toEqual([]);
  });

  test('port range, missing fields, unknown keys warn', () => {
    expect(errorKeys({ ...good(), port: 70000 })).toEqual(['port']);
    expect(errorKeys({ ...good(), fields: {} })).toEqual(['fields']);
    expect(checkVehicleConfig({ ...good(), reliable: true })).toEqual([
      { level: 'warning', key: 'reliable', message: expect.stringContaining('unknown key') },
    ]);
  });
});

function capture(): CommandIo & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', out: (t: string) => void (io.stdout += t), err: (t: string) => void (io.stderr += t) };
  return io;
}

describe('fleet-telemetry vehicle-config', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vehicle-config-'));
    writeFileSync(join(dir, 'ca.pem'), caPem);
  });

  test('builds from flags a configuration that --check accepts', async () => {
    const io = capture();
    const argv = ['vehicle-config', '--hostname', 'telemetry.example.com', `--ca=${join(dir, 'ca.pem')}`, '--field', 'VehicleSpeed=10'];
    expect(await runSubcommand([...argv, '--alert-type', 'service'], io)).toBe(0);
    const built = JSON.parse(io.stdout) as Record<string, unknown>;
    expect(built).toEqual({
      hostname: 'telemetry.example.com',
      ca: caPem,
      fields: { VehicleSpeed: { interval_seconds: 10 } },
      alert_types: ['service'],
    });
    writeFileSync(join(dir, 'built.json'), io.stdout);
    const check = capture();
    expect(await runSubcommand(['vehicle-config', '--check', join(dir, 'built.json')], check)).toBe(0);
    expect(check.stdout).toMatch(/built\.json: ok/);
  });

  test('builds from an input file, and refuses a bad field with exit 1', async () => {
    writeFileSync(
      join(dir, 'input.json'),
      JSON.stringify({ hostname: 'h.example.com', ca_file: join(dir, 'ca.pem'), fields: { Odometr: 60 } }),
    );
    const io = capture();
    expect(await runSubcommand(['vehicle-config', '--from', join(dir, 'input.json'), '--json'], io)).toBe(1);
    expect(JSON.parse(io.stdout)).toEqual({
      ok: false,
      findings: [{ level: 'error', key: 'fields.Odometr', message: expect.stringContaining('did you mean Odometer') }],
    });
  });

  test('--check --json on a broken file lists every error', async () => {
    writeFileSync(
      join(dir, 'broken.json'),
      JSON.stringify({ hostname: 'wss://x.example.com', ca: leafPem, fields: { Gear: { interval_seconds: -1 } } }),
    );
    const io = capture();
    expect(await runSubcommand(['vehicle-config', '--check', join(dir, 'broken.json'), '--json'], io)).toBe(1);
    const report = JSON.parse(io.stdout) as { findings: Array<{ key: string }> };
    expect(report.findings.map((f) => f.key)).toEqual(['hostname', 'ca', 'fields.Gear.interval_seconds']);
  });

  test('--help has an example; an unknown flag is a usage error (exit 2)', async () => {
    const help = capture();
    expect(await runSubcommand(['vehicle-config', '--help'], help)).toBe(0);
    expect(help.stdout).toMatch(/Example:\n\s+fleet-telemetry vehicle-config --hostname/);
    const bad = capture();
    expect(await runSubcommand(['vehicle-config', '--bogus'], bad)).toBe(2);
    expect(bad.stderr).toMatch(/flag provided but not defined: -bogus/);
    const interval = capture();
    const argv = ['vehicle-config', '--hostname', 'h.example.com', '--ca', join(dir, 'ca.pem'), '--field', 'Odometer=1.5'];
    expect(await runSubcommand(argv, interval)).toBe(2);
    expect(interval.stderr).toMatch(/--field Odometer=1\.5: expected NAME=SECONDS/);
  });
});
