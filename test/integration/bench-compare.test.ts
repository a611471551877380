/**
 * `npm run bench -- --compare`: a second instance of our gateway, trusting the bench's PKI, is the
 * compared server; a very short throughput run must measure both (interleaved) and report both,
 * and bad options must fail before any load with the option named.
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../shared/package-root';
import { freePort } from '../../shared/free-port';
import { benchPki } from '../../bench/load/client-identities';
import type { BenchPki } from '../../bench/load/client-identities';
import { GatewayProcess } from '../harness/gateway-process';

const CERTIFICATES = 4;
let pki: BenchPki;
let compared: GatewayProcess;
/** The directory the bench PKI lives in (ca.pem, vehicles/<VIN>.pem + .key): what a user passes. */
let pkiDir: string;

beforeAll(async () => {
  pki = await benchPki(CERTIFICATES);
  pkiDir = join(pki.caCert, '..');
  // The compared server trusts the bench's client CA and presents the bench's server certificate.
  compared = await GatewayProcess.start({
    workers: 1,
    config: { tls: { server_cert: pki.serverCert, server_key: pki.serverKey, ca_file: pki.caCert } },
  });
});
afterAll(async () => {
  await compared?.stop();
});

interface BenchExit {
  code: number | null;
  stdout: string;
  stderr: string;
}

function bench(args: string[]): Promise<BenchExit> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(packageRoot(), 'dist', 'bench', 'cli.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const SHORT = ['--scenario', 'throughput', '--duration', '2', '--warmup', '0', '--slice', '1', '--vehicles', '4'];
const SMALL = ['--certificates', String(CERTIFICATES), '--workers', '1', '--generators', '1', '--no-baseline'];

interface RunResult {
  label: string;
  load: {
    acked: number;
    replies: { ack: number; error: number };
    slices: number;
    server: { measured: boolean; cpuSecondsPer1000Records: number | null };
  };
  vsCompared?: { rateRatio: number; cpuPerRecordRatio: number };
}

test('a short throughput run measures our gateway and the compared one, and the table has its columns', async () => {
  const address = `127.0.0.1:${compared.port}`;
  const run = await bench([
    ...SHORT,
    ...SMALL,
    ...['--compare', address, '--compare-ca', pki.caCert, '--compare-certs', pkiDir, '--compare-pid', String(compared.pid)],
  ]);
  expect(run.stderr).not.toMatch(/^bench: /m);
  expect(run.code).toBe(0);
  const written = /^written: (.+)$/m.exec(run.stdout)?.[1].split(', ') ?? [];
  try {
    const json = written.find((f) => f.endsWith('.json'));
    expect(json).toBeDefined();
    const document = JSON.parse(readFileSync(json as string, 'utf8')) as { options: { compare: unknown }; results: { runs: RunResult[] } };
    expect(document.options.compare).toEqual({
      host: '127.0.0.1',
      port: compared.port,
      caFile: pki.caCert,
      certsDir: pkiDir,
      pid: compared.pid,
    });
    const [ours, theirs] = document.results.runs;
    expect(document.results.runs).toHaveLength(2);
    expect([ours.label, theirs.label]).toEqual(['gateway', `compared ${address}`]);
    for (const r of [ours, theirs]) {
      expect(r.load.acked).toBeGreaterThan(0);
      expect(r.load.replies.error).toBe(0);
      // Interleaved: each server had its two slices.
      expect(r.load.slices).toBe(2);
      // With --compare-pid the compared server's CPU is read from /proc like ours.
      expect(r.load.server.measured).toBe(true);
      expect(r.load.server.cpuSecondsPer1000Records).toBeGreaterThan(0);
    }
    expect(ours.vsCompared?.rateRatio).toBeGreaterThan(0);
    expect(ours.vsCompared?.cpuPerRecordRatio).toBeGreaterThan(0);
    expect(theirs.vsCompared).toBeUndefined();
    // The printed table: the compared server's row and the "× compared" columns.
    expect(run.stdout).toMatch(/× compared rate\s+× compared CPU\/rec\s+× compared p99/);
    expect(run.stdout).toMatch(new RegExp(`^compared ${address.replace(/\./g, '\\.')} +[\\d,]+ `, 'm'));
    const md = readFileSync(written.find((f) => f.endsWith('.md')) as string, 'utf8');
    expect(md).toContain('| × compared rate |');
  } finally {
    for (const f of written) rmSync(f, { force: true });
  }
});

test('an unreachable compared server fails before any load, naming --compare', async () => {
  const port = await freePort();
  const run = await bench([...SHORT, ...SMALL, '--compare', `127.0.0.1:${port}`, '--compare-ca', pki.caCert, '--compare-certs', pkiDir]);
  expect(run.code).toBe(1);
  expect(run.stderr).toContain(`bench: --compare 127.0.0.1:${port}: unreachable (ECONNREFUSED)`);
  expect(run.stderr).not.toMatch(/warming up|connecting/);
  expect(run.stderr).not.toMatch(/^\s+at /m); // the message, not a stack
});

test('client certificates the compared server does not trust fail before any load, naming --compare-certs', async () => {
  // The test PKI (generated by GatewayProcess.start) has vehicles from another CA than the bench's.
  const testPkiDir = join(packageRoot(), '.cache', 'test-pki');
  const run = await bench([
    ...SHORT,
    ...SMALL,
    '--compare',
    `127.0.0.1:${compared.port}`,
    '--compare-ca',
    pki.caCert,
    '--compare-certs',
    testPkiDir,
  ]);
  expect(run.code).toBe(1);
  expect(run.stderr).toMatch(/bench: --compare-certs .*test-pki: 127\.0\.0\.1:\d+ refused the client certificate .*\.pem/);
});

test("a CA that did not issue the compared server's certificate fails before any load, naming --compare-ca", async () => {
  const otherCa = join(packageRoot(), '.cache', 'test-pki', 'ca.pem');
  const run = await bench([
    ...SHORT,
    ...SMALL,
    '--compare',
    `127.0.0.1:${compared.port}`,
    '--compare-ca',
    otherCa,
    '--compare-certs',
    pkiDir,
  ]);
  expect(run.code).toBe(1);
  expect(run.stderr).toMatch(/bench: --compare-ca .*test-pki\/ca\.pem: the certificate of 127\.0\.0\.1:\d+ does not verify against it/);
});
