/**
 * Zero-downtime reload (SIGHUP, or a changed file with `gateway.watch`): under load, the server
 * certificate and the CA bundle are rotated; new handshakes see the new certificate, no handshake
 * is refused during the roll, every ACKed record reaches the sink, and the vehicles of the old
 * workers reconnect. A reload that fails its checks keeps the old workers serving.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { GatewayProcess, TEST_VINS, testPki } from '../harness/gateway-process';
import type { LogLine } from '../harness/gateway-process';
import { ReconnectingVehicle } from '../harness/reconnecting-vehicle';
import { VehicleConnection } from '../../bench/vehicle/vehicle-client';
import { createCa, issueCertificate } from '../../shared/pki';
import type { DevPkiPaths, PemKeyPair } from '../../shared/pki';

interface Handshake {
  fingerprint: string;
  startedAfterRoll: boolean;
}

/** TLS handshakes one after the other until stopped: each records the server certificate seen, or its error. */
function probeHandshakes(port: number, ca: string, cert: Buffer, key: Buffer, rolled: () => boolean) {
  const seen: Handshake[] = [];
  const errors: string[] = [];
  let stopped = false;
  const once = () =>
    new Promise<void>((resolve) => {
      const startedAfterRoll = rolled();
      const socket = connect({ host: '127.0.0.1', port, ca, cert, key, servername: 'localhost' }, () => {
        seen.push({ fingerprint: socket.getPeerX509Certificate()?.fingerprint256 ?? '', startedAfterRoll });
        socket.end();
        resolve();
      });
      socket.on('error', (error) => {
        errors.push(error.message);
        resolve();
      });
    });
  const done = (async () => {
    while (!stopped) await once();
  })();
  return {
    seen,
    errors,
    stop: async () => {
      stopped = true;
      await done;
    },
  };
}

async function rotatingSetup(pki: DevPkiPaths) {
  const dir = mkdtempSync(join(tmpdir(), 'ft-reload-'));
  const files = { server_cert: join(dir, 'server.pem'), server_key: join(dir, 'server.key'), ca_file: join(dir, 'ca.pem') };
  copyFileSync(pki.serverCert, files.server_cert);
  copyFileSync(pki.serverKey, files.server_key);
  copyFileSync(pki.caCert, files.ca_file);
  const newCa = await createCa({ commonName: 'Rotated Fleet CA', organization: 'Fleet Telemetry Test' });
  const newServer = await issueCertificate(newCa, {
    commonName: 'localhost',
    isServer: true,
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1'],
  });
  return { dir, files, newCa, newServer };
}

/**
 * Linux resets the connections still waiting in a listener's accept queue when that listener closes,
 * unless net.ipv4.tcp_migrate_req hands them to another socket of the same SO_REUSEPORT group. The
 * README promises no refused handshake during a roll with it on, so the test turns it on (root, in
 * this network namespace) for its run and puts the old value back.
 */
const MIGRATE_REQ = '/proc/sys/net/ipv4/tcp_migrate_req';
let migrateReqBefore: string | undefined;
beforeAll(() => {
  const value = readFileSync(MIGRATE_REQ, 'utf8').trim();
  if (value === '1') return;
  try {
    writeFileSync(MIGRATE_REQ, '1');
    migrateReqBefore = value;
  } catch (error) {
    throw new Error(
      `the reload test needs sysctl net.ipv4.tcp_migrate_req=1 (README "Signals, reloads and supervisors"): ${String(error)}`,
    );
  }
});
afterAll(() => {
  if (migrateReqBefore !== undefined) writeFileSync(MIGRATE_REQ, migrateReqBefore);
});

const started: GatewayProcess[] = [];
// A failed test leaves no gateway behind.
afterEach(async () => {
  await Promise.all(started.splice(0).map((g) => g.stop()));
});

async function startGateway(options: Parameters<typeof GatewayProcess.start>[0]): Promise<GatewayProcess> {
  const gateway = await GatewayProcess.start(options);
  started.push(gateway);
  return gateway;
}

const pidsOf = (g: GatewayProcess, msg: string) => g.logs.filter((l: LogLine) => l.msg === msg).map((l) => l.worker_pid as number);

describe('reload under load', () => {
  it('rotates the server certificate and the CA bundle: no refused handshake, no lost ACKed record', async () => {
    const pki = await testPki();
    const { files, newCa, newServer } = await rotatingSetup(pki);
    const newVehicle: PemKeyPair = await issueCertificate(newCa, { commonName: TEST_VINS[3] });
    const gateway = await startGateway({
      config: {
        tls: files,
        gateway: { workers: 2, dispatch_threads: 1, reload_spread_ms: 2_000, drain_timeout_ms: 5_000 },
      },
    });
    const oldWorkers = pidsOf(gateway, 'worker_listening');
    // Vehicles trust the old and the new server CA, as a fleet does during a rotation.
    const clientCa = readFileSync(pki.caCert, 'utf8') + newCa.certPem;
    const vins = TEST_VINS.slice(0, 3);
    const vehicles = vins.map(
      (vin, v) =>
        new ReconnectingVehicle(
          vin,
          () => ({ url: gateway.url, ca: clientCa, cert: readFileSync(pki.vehicles[vin].cert), key: readFileSync(pki.vehicles[vin].key) }),
          `reload-${v}`,
        ),
    );
    try {
      await Promise.all(vehicles.map((v) => v.when(() => v.acked.length >= 20)));
      // Before the rotation, a vehicle of the new CA is not served.
      const refusedBefore = await VehicleConnection.connect({
        url: gateway.url,
        ca: clientCa,
        cert: newVehicle.certPem,
        key: newVehicle.keyPem,
      }).then(
        async (c) => {
          await c.close();
          return false;
        },
        () => true,
      );
      expect(refusedBefore).toBe(true);

      let rolled = false;
      const probe = probeHandshakes(
        gateway.port,
        clientCa,
        readFileSync(pki.vehicles[vins[0]].cert),
        readFileSync(pki.vehicles[vins[0]].key),
        () => rolled,
      );
      writeFileSync(files.server_cert, newServer.certPem);
      writeFileSync(files.server_key, newServer.keyPem);
      writeFileSync(files.ca_file, readFileSync(pki.caCert, 'utf8') + newCa.certPem);
      gateway.signal('SIGHUP');
      await gateway.waitForLog((l) => l.msg === 'reloaded', 60_000);
      // The roll is over when every old worker has finished its drain.
      for (const pid of oldWorkers) await gateway.waitForLog((l) => l.msg === 'stopped_server' && l.pid === pid, 60_000);
      rolled = true;
      await Promise.all(vehicles.map((v) => v.when(() => v.connections >= 2)));
      const ackedAtRoll = vehicles.map((v) => v.acked.length);
      await Promise.all(vehicles.map((v, i) => v.when(() => v.acked.length >= ackedAtRoll[i] + 20)));
      await probe.stop();

      expect(probe.errors).toEqual([]);
      expect(vehicles.flatMap((v) => v.failedConnects)).toEqual([]);
      const newFingerprint = new X509Certificate(newServer.certPem).fingerprint256;
      const afterRoll = probe.seen.filter((h) => h.startedAfterRoll);
      expect(afterRoll.length).toBeGreaterThan(0);
      expect(afterRoll.every((h) => h.fingerprint === newFingerprint)).toBe(true);
      // Each vehicle's first connection was on an old worker and was closed by it ("going away").
      for (const v of vehicles) expect(v.closeCodes[0]).toBe(1001);
      // The new CA bundle is in force: a vehicle of the new CA is served now.
      const fresh = await VehicleConnection.connect({ url: gateway.url, ca: clientCa, cert: newVehicle.certPem, key: newVehicle.keyPem });
      await fresh.close();
    } finally {
      await Promise.all(vehicles.map((v) => v.stop()));
    }
    expect(await gateway.stop()).toBe(0);
    const logged = new Set(gateway.logs.filter((l) => l.msg === 'record_payload').map((l) => (l.metadata as { txid: string }).txid));
    const acked = vehicles.flatMap((v) => v.acked);
    expect(acked.length).toBeGreaterThan(0);
    expect(acked.filter((txid) => !logged.has(txid))).toEqual([]);
  }, 180_000);
});

describe('a reload that cannot apply', () => {
  it('keeps the old workers serving and logs why: invalid config, mismatched key, a key that needs a restart', async () => {
    const pki = await testPki();
    const { files } = await rotatingSetup(pki);
    const gateway = await startGateway({ workers: 1, config: { tls: files, gateway: { workers: 1, dispatch_threads: 1 } } });
    const workers = pidsOf(gateway, 'worker_listening');
    const original = readFileSync(gateway.configPath, 'utf8');
    const failures = () => gateway.logs.filter((l) => l.msg === 'reload_failed');

    writeFileSync(gateway.configPath, original.replace('"dispatch_threads":1', '"dispatch_threads":0'));
    gateway.signal('SIGHUP');
    const invalid = await gateway.waitForLog((l) => l.msg === 'reload_failed');
    expect(String(invalid.error)).toMatch(/config key "gateway\.dispatch_threads"/);
    expect(String(invalid.error)).toContain('the running workers keep the previous config');

    writeFileSync(gateway.configPath, original);
    copyFileSync(pki.vehicles[TEST_VINS[0]].key, files.server_key);
    gateway.signal('SIGHUP');
    await gateway.waitForLog(() => failures().length === 2);
    expect(String(failures()[1].error)).toMatch(/^config key "tls\.server_key": .* does not match the certificate in tls\.server_cert/);

    copyFileSync(pki.serverKey, files.server_key);
    writeFileSync(gateway.configPath, original.replace('"namespace":"test"', '"namespace":"test","status_port":1'));
    gateway.signal('SIGHUP');
    await gateway.waitForLog(() => failures().length === 3);
    expect(String(failures()[2].error)).toContain('config key "status_port" changed: that takes a restart, not a reload');

    expect(pidsOf(gateway, 'worker_listening')).toEqual(workers);
    const vehicle = await gateway.vehicle(TEST_VINS[1]);
    await vehicle.close();
    expect(await gateway.stop()).toBe(0);
  }, 120_000);

  it('with gateway.watch, a changed file rolls the workers without a signal', async () => {
    const pki = await testPki();
    const { files } = await rotatingSetup(pki);
    const gateway = await startGateway({
      config: { tls: files, gateway: { workers: 1, dispatch_threads: 1, watch: true, reload_spread_ms: 0 } },
    });
    const workers = pidsOf(gateway, 'worker_listening');
    writeFileSync(files.ca_file, readFileSync(pki.caCert, 'utf8') + '\n');
    const reloading = await gateway.waitForLog((l) => l.msg === 'reloading', 30_000);
    expect(reloading.reason).toBe(`${files.ca_file} changed`);
    await gateway.waitForLog((l) => l.msg === 'reloaded', 30_000);
    const now = pidsOf(gateway, 'worker_listening');
    expect(now.filter((pid) => !workers.includes(pid))).toHaveLength(1);
    expect(await gateway.stop()).toBe(0);
  }, 120_000);
});
