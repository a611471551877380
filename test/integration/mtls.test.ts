/**
 * Client authentication on the main listener (PROTOCOL.md §2.2, §2.3, §3): a verified client
 * certificate is required for every route, identity comes from it, and other CAs are refused.
 */
import { request } from 'node:https';
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GatewayProcess, TEST_VINS } from '../harness/gateway-process';
import { VehicleConnection } from '../../bench/vehicle/vehicle-client';
import { createCa, issueCertificate } from '../../shared/pki';

let gateway: GatewayProcess;
beforeAll(async () => {
  gateway = await GatewayProcess.start();
});
afterAll(async () => {
  await gateway?.stop();
});

function get(path: string, cert?: { cert: Buffer; key: Buffer }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: gateway.port, path, ca: readFileSync(gateway.pki.caCert), ...cert }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const vehicleCert = (vin: string) => ({
  cert: readFileSync(gateway.pki.vehicles[vin].cert),
  key: readFileSync(gateway.pki.vehicles[vin].key),
});

describe('mTLS', () => {
  it('answers /status with `mtls ok` to a client with a certificate', async () => {
    expect(await get('/status', vehicleCert(TEST_VINS[0]))).toEqual({ status: 200, body: 'mtls ok' });
  });

  it('refuses /status and the WebSocket upgrade without a client certificate', async () => {
    expect((await get('/status')).status).toBe(401);
    await expect(VehicleConnection.connect({ url: gateway.url, ca: readFileSync(gateway.pki.caCert) })).rejects.toThrow(/401/);
  });

  it('answers a plain GET on another path with upstream’s upgrade failure', async () => {
    expect(await get('/metrics', vehicleCert(TEST_VINS[0]))).toEqual({ status: 400, body: 'Bad Request\n' });
  });

  it('fails the handshake for a certificate from a foreign CA', async () => {
    const foreignCa = await createCa({ commonName: 'TeslaMotors' }); // same name, different key
    const leaf = await issueCertificate(foreignCa, { commonName: TEST_VINS[0] });
    await expect(
      VehicleConnection.connect({ url: gateway.url, ca: readFileSync(gateway.pki.caCert), cert: leaf.certPem, key: leaf.keyPem }),
    ).rejects.toThrow();
  });

  it('closes the connection of a certificate the identity rules refuse (§3.1)', async () => {
    // Issued by the trusted CA but the issuer rules fail: an OID issuer CA without a mapped EKU.
    const dir = mkdtempSync(join(tmpdir(), 'ft-mtls-'));
    const ca = { certPem: readFileSync(gateway.pki.caCert, 'utf8'), keyPem: readFileSync(gateway.pki.caKey, 'utf8') };
    const intermediate = await issueCertificate(ca, { commonName: 'Tesla Motors Product Issuing CA', isCa: true });
    const leaf = await issueCertificate(intermediate, { commonName: 'UNMAPPED1' });
    writeFileSync(join(dir, 'chain.pem'), leaf.certPem + intermediate.certPem);
    const vehicle = await VehicleConnection.connect({
      url: gateway.url,
      ca: readFileSync(gateway.pki.caCert),
      cert: readFileSync(join(dir, 'chain.pem')),
      key: leaf.keyPem,
    });
    const code = await vehicle.closed;
    expect(code).toBe(1006); // abnormal closure: no close frame (§2.4)
    await gateway.waitForLog(
      (l) => l.msg === 'extract_sender_id_err' && String(l.error).includes('common_name: UNMAPPED1, err: unauthorized certificate'),
    );
  });
});
