import { createServer, type Server } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCa, issueCertificate } from '../../shared/pki';
import type { CommandIo } from './command-line';
import { runSubcommand } from './index';

let dir: string;
let tls: { server_cert: string; server_key: string; ca_file: string };
let busy: Server;
let busyPort: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'check-config-'));
  const ca = await createCa({ commonName: 'CA' });
  const server = await issueCertificate(ca, { commonName: 'gw', isServer: true, dnsNames: ['gw.example.com'] });
  const other = await issueCertificate(ca, { commonName: 'other', isServer: true, dnsNames: ['other.example.com'] });
  writeFileSync(join(dir, 'ca.pem'), ca.certPem);
  writeFileSync(join(dir, 'server.pem'), server.certPem);
  writeFileSync(join(dir, 'server.key'), server.keyPem);
  writeFileSync(join(dir, 'other.key'), other.keyPem);
  tls = { server_cert: join(dir, 'server.pem'), server_key: join(dir, 'server.key'), ca_file: join(dir, 'ca.pem') };
  // A port already taken: check must not try to listen on it.
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  busyPort = (busy.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((resolve) => busy.close(() => resolve())));

function capture(): CommandIo & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', out: (t: string) => void (io.stdout += t), err: (t: string) => void (io.stderr += t) };
  return io;
}

async function check(config: Record<string, unknown>, ...flags: string[]): Promise<{ code: number | undefined; stdout: string }> {
  const path = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(config));
  const io = capture();
  const code = await runSubcommand(['check', `-config=${path}`, ...flags], io);
  return { code, stdout: io.stdout };
}

const base = (): Record<string, unknown> => ({ host: '127.0.0.1', port: busyPort, log_level: 'info', tls, records: { V: ['logger'] } });

describe('fleet-telemetry check', () => {
  test('a valid config: exit 0 and a summary, without binding the (busy) port', async () => {
    const { code, stdout } = await check({
      ...base(),
      records: { V: ['kinesis', 'logger'], alerts: ['logger'] },
      reliable_ack_sources: { V: 'kinesis' },
      kinesis: { streams: { V: 'v-stream' } },
      monitoring: { prometheus_metrics_port: 9273 },
      gateway: { workers: 2, dispatch_threads: 3 },
    });
    expect(code).toBe(0);
    expect(stdout).toContain(`listen    wss://127.0.0.1:${busyPort} (2 workers × 3 dispatch lanes)`);
    expect(stdout).toContain('metrics   prometheus http://127.0.0.1:9273/metrics');
    expect(stdout).toMatch(/V\s+→ kinesis, logger\s+\(ACK after kinesis confirms delivery\)/);
    expect(stdout).toMatch(/alerts\s+→ logger\s+\(ACK when every sink accepted\)/);
  });

  test('--json summary, with the reliable_ack warning naming its replacement', async () => {
    const { code, stdout } = await check({ ...base(), reliable_ack: true }, '--json');
    expect(code).toBe(0);
    const summary = JSON.parse(stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({
      ok: true,
      listen: { host: '127.0.0.1', port: busyPort },
      records: { V: { sinks: ['logger'], reliable: null } },
    });
    expect(summary.warnings).toEqual([{ key: 'reliable_ack', message: expect.stringContaining('reliable_ack_sources') }]);
  });

  test('reliable_ack_sources naming a sink the record type does not use: exit 1 naming the key', async () => {
    const { code, stdout } = await check({ ...base(), reliable_ack_sources: { V: 'kafka' } }, '--json');
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toEqual({
      ok: false,
      config: expect.any(String),
      error: {
        key: 'reliable_ack_sources.V',
        message: 'kafka cannot be configured as reliable ack for record: V. Valid datastores configured []',
      },
    });
  });

  test("a used sink without its block, and a sink block's invalid value, fail as at startup", async () => {
    expect((await check({ ...base(), records: { V: ['pubsub'] } })).stdout).toMatch(/error in pubsub: expected Pubsub to be configured/);
    const invalid = await check({ ...base(), records: { V: ['kinesis'] }, kinesis: { max_retries: 'x' } });
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toMatch(/kinesis\.max_retries/);
  });

  test('a key that does not match the certificate, and an unreadable file', async () => {
    const mismatch = await check({ ...base(), tls: { ...tls, server_key: join(dir, 'other.key') } });
    expect(mismatch.code).toBe(1);
    expect(mismatch.stdout).toMatch(
      /config key "tls\.server_key": .*other\.key does not match the certificate in tls\.server_cert \(.*server\.pem/,
    );
    const missing = await check({ ...base(), tls: { ...tls, ca_file: join(dir, 'nope.pem') } });
    expect(missing.stdout).toMatch(/config key "tls\.ca_file": open .*nope\.pem: no such file or directory/);
  });

  test('--help shows an example', async () => {
    const io = capture();
    expect(await runSubcommand(['check', '--help'], io)).toBe(0);
    expect(io.stdout).toMatch(/Example[^\n]*\n\s+fleet-telemetry check -config=/);
  });
});
