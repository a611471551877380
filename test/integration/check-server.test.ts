/**
 * `fleet-telemetry check-server` against our own gateway serving good and deliberately broken server
 * certificates: wrong CA, hostname missing from the SAN, expired, partial chain (intermediate not
 * sent), and the WebSocket upgrade with a vehicle's client certificate.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GatewayProcess, TEST_VINS, testPki } from '../harness/gateway-process';
import { packageRoot } from '../../shared/package-root';
import { createCa, issueCertificate } from '../../shared/pki';
import { runSubcommand } from '../../gateway/commands';
import type { CommandIo } from '../../gateway/commands/command-line';

const HOST = 'gateway.test';
let dir: string;
const files: Record<string, string> = {};
const gateways: Record<'good' | 'expired' | 'leafOnly', GatewayProcess> = {} as never;

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  files[name] = path;
  return path;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'check-server-'));
  const root = await createCa({ commonName: 'Server Root CA' });
  const intermediate = await issueCertificate(root, { commonName: 'Server Intermediate CA', isCa: true });
  const leaf = await issueCertificate(intermediate, { commonName: HOST, isServer: true, dnsNames: [HOST] });
  const expired = await issueCertificate(root, { commonName: HOST, isServer: true, dnsNames: [HOST], validityDays: -1 });
  const soon = await issueCertificate(intermediate, { commonName: HOST, isServer: true, dnsNames: [HOST], validityDays: 10 });
  const wrongRoot = await createCa({ commonName: 'Server Root CA' }); // same name, other key
  write('root.pem', root.certPem);
  write('intermediate.pem', intermediate.certPem);
  write('wrong-root.pem', wrongRoot.certPem);
  const clientCa = (await testPki()).caCert; // the gateways trust the test vehicles' certificates
  // `reliable_ack` (no effect) also checks the startup warning naming its replacement.
  const start = (cert: string, key: string): Promise<GatewayProcess> =>
    GatewayProcess.start({ config: { reliable_ack: true, tls: { server_cert: cert, server_key: key, ca_file: clientCa } } });
  gateways.good = await start(write('good-chain.pem', leaf.certPem + intermediate.certPem), write('good.key', leaf.keyPem));
  gateways.expired = await start(write('expired.pem', expired.certPem), write('expired.key', expired.keyPem));
  gateways.leafOnly = await start(write('leaf-only.pem', soon.certPem), write('leaf-only.key', soon.keyPem));
});
afterAll(async () => {
  await Promise.all(Object.values(gateways).map((g) => g?.stop()));
});

interface Report {
  ok: boolean;
  verification?: string;
  hostname_in_san?: boolean;
  chain?: Array<{ subject: string; days_left: number; in_ca: boolean }>;
  findings: Array<{ level: string; key: string; message: string }>;
  websocket?: { ok: boolean; status: number | null; identity: { ok: boolean; senderId?: string; deviceId?: string } } | null;
}

async function checkServer(gateway: GatewayProcess, ...flags: string[]): Promise<{ code: number | undefined; report: Report }> {
  let stdout = '';
  const io: CommandIo = { out: (t) => void (stdout += t), err: () => undefined };
  const code = await runSubcommand(
    ['check-server', '--host', HOST, '--address', '127.0.0.1', '--port', String(gateway.port), '--json', ...flags],
    io,
  );
  return { code, report: JSON.parse(stdout) as Report };
}

test('startup warns about a key that has no effect, naming what replaces it', async () => {
  const line = await gateways.good.waitForLog((l) => l.msg === 'config_key_unused');
  expect(line).toMatchObject({ level: 'error', key: 'reliable_ack', error: expect.stringContaining('reliable_ack_sources') });
});

describe('check-server against the gateway', () => {
  test('a good chain: full verification, hostname in the SAN, upgrade ok with the identity the server derives', async () => {
    const vin = TEST_VINS[0] as string;
    const vehicle = gateways.good.pki.vehicles[vin] as { cert: string; key: string };
    const { code, report } = await checkServer(
      gateways.good,
      '--ca',
      files['root.pem'] as string,
      '--cert',
      vehicle.cert,
      '--key',
      vehicle.key,
    );
    expect(report.findings).toEqual([]);
    expect(code).toBe(0);
    expect(report).toMatchObject({ ok: true, verification: 'full', hostname_in_san: true });
    expect(report.chain?.map((c) => c.subject)).toEqual([`CN=${HOST}`, 'CN=Server Intermediate CA', 'CN=Server Root CA']);
    expect(report.chain?.map((c) => c.in_ca)).toEqual([false, false, true]);
    expect(report.websocket).toMatchObject({
      ok: true,
      status: 101,
      identity: { ok: true, senderId: `vehicle_device.${vin}`, deviceId: vin },
    });
  });

  test('wrong CA: the chain does not verify (exit 1)', async () => {
    const { code, report } = await checkServer(gateways.good, '--ca', files['wrong-root.pem'] as string);
    expect(code).toBe(1);
    expect(report.verification).toBe('failed');
    expect(report.findings).toEqual([{ level: 'error', key: 'ca', message: expect.stringContaining('does not verify') }]);
  });

  test('a hostname missing from the SAN (exit 1)', async () => {
    let stdout = '';
    const io: CommandIo = { out: (t) => void (stdout += t), err: () => undefined };
    const argv = ['check-server', `vehicles.example.com:${gateways.good.port}`, '--address', '127.0.0.1'];
    expect(await runSubcommand([...argv, '--ca', files['root.pem'] as string], io)).toBe(1);
    expect(stdout).toContain('hostname in SAN: no (DNS:gateway.test)');
    expect(stdout).toMatch(/error: hostname: .*vehicles\.example\.com/);
  });

  test('an expired certificate (exit 1)', async () => {
    const { code, report } = await checkServer(gateways.expired, '--ca', files['root.pem'] as string);
    expect(code).toBe(1);
    expect(report.verification).toBe('full');
    expect(report.chain?.[0]?.days_left).toBeLessThan(0);
    expect(report.findings).toEqual([{ level: 'error', key: `CN=${HOST}`, message: expect.stringMatching(/^expired on /) }]);
  });

  test('intermediate not sent: fails against the root, partial chain against the intermediate; expiry under 30 days warns', async () => {
    const againstRoot = await checkServer(gateways.leafOnly, '--ca', files['root.pem'] as string);
    expect(againstRoot.code).toBe(1);
    expect(againstRoot.report.verification).toBe('failed');
    const againstIntermediate = await checkServer(gateways.leafOnly, '--ca', files['intermediate.pem'] as string);
    expect(againstIntermediate.code).toBe(0);
    expect(againstIntermediate.report.verification).toBe('partial');
    expect(againstIntermediate.report.findings.map((f) => [f.level, f.key])).toEqual([
      ['warning', `CN=${HOST}`],
      ['warning', 'ca'],
    ]);
    expect(againstIntermediate.report.findings[0]?.message).toMatch(/^expires in 9 days/);
  });

  test('a client certificate from another CA: the upgrade fails (exit 1)', async () => {
    const foreign = await issueCertificate(await createCa({ commonName: 'TeslaMotors' }), { commonName: TEST_VINS[0] as string });
    const { code, report } = await checkServer(
      gateways.good,
      '--ca',
      files['root.pem'] as string,
      '--cert',
      write('foreign.pem', foreign.certPem),
      '--key',
      write('foreign.key', foreign.keyPem),
    );
    expect(code).toBe(1);
    expect(report.websocket?.ok).toBe(false);
    expect(report.findings.map((f) => f.key)).toEqual(['websocket']);
  });

  test('the built CLI runs it from a vehicle configuration (exit code and text report)', async () => {
    const config = write(
      'vehicle.json',
      JSON.stringify({
        hostname: HOST,
        port: gateways.good.port,
        ca: readFileSync(files['root.pem'] as string, 'utf8'),
        fields: { VehicleSpeed: { interval_seconds: 10 } },
      }),
    );
    const { stdout } = await promisify(execFile)(process.execPath, [
      join(packageRoot(), 'dist', 'gateway', 'cli.js'),
      'check-server',
      config,
      '--address',
      '127.0.0.1',
    ]);
    expect(stdout).toContain('verifies against the CA: yes, full chain');
    expect(stdout.trimEnd().endsWith('ok')).toBe(true);
  });
});
