import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, unlinkSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { createCa, issueCertificate } from './create-certificates';
import { ensureDevPki } from './dev-pki';
import type { DevPkiPaths } from './dev-pki';

const VINS = ['5YJ3E1EA7KF000001', 'DEVICE.WITH.DOTS'];
let dir: string;
let paths: DevPkiPaths;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dev-pki-'));
  paths = await ensureDevPki(dir, VINS);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const read = (path: string): string => readFileSync(path, 'utf8');
const snapshot = (p: DevPkiPaths): string[] =>
  [p.caCert, p.caKey, p.serverCert, p.serverKey, ...Object.values(p.vehicles).flatMap((v) => [v.cert, v.key])].map(read);

describe('ensureDevPki', () => {
  test('lays out the CA, the server and one client per VIN', () => {
    expect(paths).toEqual({
      caCert: join(dir, 'ca.pem'),
      caKey: join(dir, 'ca.key'),
      serverCert: join(dir, 'server.pem'),
      serverKey: join(dir, 'server.key'),
      vehicles: Object.fromEntries(
        VINS.map((vin) => [vin, { cert: join(dir, 'vehicles', `${vin}.pem`), key: join(dir, 'vehicles', `${vin}.key`) }]),
      ),
    });
    const ca = new X509Certificate(read(paths.caCert));
    expect(ca.ca).toBe(true);
    expect(ca.subject).toContain('CN=TeslaMotors');

    const server = new X509Certificate(read(paths.serverCert));
    expect(server.checkIssued(ca) && server.verify(ca.publicKey)).toBe(true);
    expect(server.ca).toBe(false);
    expect(server.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(server.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(server.checkHost('localhost')).toBe('localhost');
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(server.checkIP('::1')).toBe('::1');

    for (const vin of VINS) {
      const client = new X509Certificate(read(paths.vehicles[vin].cert));
      expect(client.checkIssued(ca) && client.verify(ca.publicKey)).toBe(true);
      expect(client.subject).toBe(`CN=${vin}`);
      expect(client.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
      expect(client.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    }
    expect(statSync(paths.caKey).mode & 0o077).toBe(0);
  });

  test('reuses what exists, adds what is missing', async () => {
    const before = snapshot(paths);
    expect(snapshot(await ensureDevPki(dir, VINS))).toEqual(before);

    const more = await ensureDevPki(dir, [...VINS, 'NEWVIN']);
    expect(snapshot(more).slice(0, before.length)).toEqual(before);
    expect(new X509Certificate(read(more.vehicles.NEWVIN.cert)).subject).toBe('CN=NEWVIN');

    unlinkSync(paths.serverKey);
    const again = snapshot(await ensureDevPki(dir, VINS));
    expect(again[0]).toBe(before[0]);
    expect(again[2]).not.toBe(before[2]);
    expect(again.slice(4)).toEqual(before.slice(4));
  });

  test('a re-created CA re-issues everything it signed', async () => {
    const sub = mkdtempSync(join(tmpdir(), 'dev-pki-ca-'));
    try {
      const first = await ensureDevPki(sub, ['VIN1']);
      const before = snapshot(first);
      unlinkSync(first.caKey);
      const after = snapshot(await ensureDevPki(sub, ['VIN1']));
      after.forEach((content, i) => expect(content).not.toBe(before[i]));
      const ca = new X509Certificate(after[0]);
      expect(new X509Certificate(after[4]).verify(ca.publicKey)).toBe(true);
    } finally {
      rmSync(sub, { recursive: true, force: true });
    }
  });

  test('concurrent callers agree on one CA', async () => {
    const sub = mkdtempSync(join(tmpdir(), 'dev-pki-race-'));
    try {
      const results = await Promise.all([ensureDevPki(sub, ['A']), ensureDevPki(sub, ['A']), ensureDevPki(sub, ['B'])]);
      const ca = new X509Certificate(read(results[0].caCert));
      for (const vin of ['A', 'B']) expect(new X509Certificate(read(join(sub, 'vehicles', `${vin}.pem`))).verify(ca.publicKey)).toBe(true);
    } finally {
      rmSync(sub, { recursive: true, force: true });
    }
  });

  test('refuses VINs that are not plain file names', async () => {
    for (const vin of ['../evil', 'a/b', '.hidden', '']) await expect(ensureDevPki(dir, [vin])).rejects.toThrow(/invalid VIN/);
  });
});

describe('mutual TLS with node:tls (OpenSSL 3), real handshakes on 127.0.0.1', () => {
  let server: tls.Server;
  let port: number;
  const seen: Array<{ authorized: boolean; cn: string }> = [];

  beforeAll(async () => {
    server = tls.createServer({
      cert: read(paths.serverCert),
      key: read(paths.serverKey),
      ca: read(paths.caCert),
      requestCert: true,
      rejectUnauthorized: true,
    });
    server.on('secureConnection', (socket) => {
      seen.push({ authorized: socket.authorized, cn: String(socket.getPeerCertificate().subject?.CN) });
      socket.end('hello');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** Resolves with the data received, or rejects with the client-side error. */
  function connect(options: tls.ConnectionOptions): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port, ca: read(paths.caCert), ...options });
      let data = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (data += chunk));
      socket.on('end', () => (data ? resolve(data) : reject(new Error('closed without data'))));
      socket.on('error', reject);
    });
  }

  test('accepts a dev client certificate (server verified by IP SAN and by name)', async () => {
    const vin = VINS[0];
    const client = { cert: read(paths.vehicles[vin].cert), key: read(paths.vehicles[vin].key) };
    await expect(connect(client)).resolves.toBe('hello');
    await expect(connect({ ...client, servername: 'localhost' })).resolves.toBe('hello');
    expect(seen.at(-1)).toEqual({ authorized: true, cn: vin });
  });

  test('also over TLS 1.2', async () => {
    const vin = VINS[1];
    await expect(
      connect({ cert: read(paths.vehicles[vin].cert), key: read(paths.vehicles[vin].key), maxVersion: 'TLSv1.2' }),
    ).resolves.toBe('hello');
    expect(seen.at(-1)).toEqual({ authorized: true, cn: vin });
  });

  test('rejects a client certificate from another CA, even one with the same name', async () => {
    const count = seen.length;
    const other = await createCa({ commonName: 'TeslaMotors' });
    const stranger = await issueCertificate(other, { commonName: VINS[0] });
    await expect(connect({ cert: stranger.certPem, key: stranger.keyPem })).rejects.toThrow();
    await expect(connect({})).rejects.toThrow();
    expect(seen.length).toBe(count);
  });

  test('an intermediate CA chain works when the client sends it', async () => {
    const ca = { certPem: read(paths.caCert), keyPem: read(paths.caKey) };
    const intermediate = await issueCertificate(ca, { commonName: 'Dev Intermediate', isCa: true });
    const leaf = await issueCertificate(intermediate, { commonName: 'CHAINED' });
    await expect(connect({ cert: leaf.certPem + intermediate.certPem, key: leaf.keyPem })).resolves.toBe('hello');
    expect(seen.at(-1)).toEqual({ authorized: true, cn: 'CHAINED' });
  });
});
