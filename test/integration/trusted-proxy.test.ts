/**
 * Trusted-proxy mTLS against the real gateway. The test client plays the TLS-terminating proxy: it
 * opens the WebSocket to the plain proxy listener (or, as a re-encrypting proxy, to the main TLS
 * listener without a client certificate) with the vehicle's certificate in RFC 9440 `Client-Cert`,
 * from 127.0.0.2, the one address in `trusted_proxy.source_cidrs`.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { GatewayProcess, TEST_VINS } from '../harness/gateway-process';
import { VehicleConnection } from '../../bench/vehicle/vehicle-client';
import { seededRandom, streamFrame, vehicleDataPayload } from '../../bench/vehicle/records';
import { freePort } from '../../shared/free-port';
import { createCa, issueCertificate } from '../../shared/pki';
import { httpGet, parsePrometheus } from './metrics-scrape';

const [A, B] = TEST_VINS;
const PROXY = '127.0.0.2';
const rand = seededRandom(9440);
const clientCert = (pem: string) => `:${new X509Certificate(pem).raw.toString('base64')}:`;

let gateway: GatewayProcess;
let proxyPort: number;
let metricsPort: number;

beforeAll(async () => {
  proxyPort = await freePort();
  metricsPort = await freePort();
  gateway = await GatewayProcess.start({
    config: {
      trusted_proxy: { header: 'Client-Cert', port: proxyPort, host: '127.0.0.1', source_cidrs: [`${PROXY}/32`] },
      monitoring: { prometheus_metrics_port: metricsPort },
    },
  });
});
afterAll(async () => {
  await gateway?.stop();
});

function vehicleCert(vin: string): string {
  return readFileSync(gateway.pki.vehicles[vin].cert, 'utf8');
}

/** A WebSocket as the proxy opens it, to `listener`, without a client certificate of its own. */
function viaProxy(listener: 'proxy' | 'main', headers: Record<string, string>, localAddress = PROXY): Promise<VehicleConnection> {
  return VehicleConnection.connect({
    url: listener === 'proxy' ? `ws://127.0.0.1:${proxyPort}/` : gateway.url,
    ca: readFileSync(gateway.pki.caCert),
    headers,
    localAddress,
  });
}

async function refusedWith(connecting: Promise<VehicleConnection>): Promise<string> {
  return connecting.then(
    () => 'connected',
    (e: Error) => e.message,
  );
}

async function ackedAs(vehicle: VehicleConnection, vin: string, txid: string): Promise<void> {
  vehicle.send(streamFrame({ topic: 'V', txid, payload: vehicleDataPayload(vin, 5, rand), vin }));
  expect((await vehicle.nextReply()).kind).toBe('ack');
  const record = await gateway.waitForLog((l) => l.msg === 'record_payload' && (l.metadata as { txid?: string }).txid === txid);
  expect(record.vin).toBe(vin); // the identity is the forwarded certificate's
}

it('proxy listener: the forwarded certificate is the identity', async () => {
  await gateway.waitForLog((l) => l.msg === 'trusted_proxy_listening');
  const vehicle = await viaProxy('proxy', { 'Client-Cert': clientCert(vehicleCert(A)) });
  await ackedAs(vehicle, A, 'proxied-1');
  await vehicle.close();
});

it('main listener: a re-encrypting proxy at a listed address may forward a certificate', async () => {
  const vehicle = await viaProxy('main', { 'Client-Cert': clientCert(vehicleCert(B)) });
  await ackedAs(vehicle, B, 'proxied-2');
  await vehicle.close();
});

it('refuses what the proxy rule does not allow, and counts it', async () => {
  const forged = await issueCertificate(await createCa({ commonName: 'TeslaMotors' }), { commonName: A });
  const header = { 'Client-Cert': clientCert(vehicleCert(A)) };
  expect(await refusedWith(viaProxy('proxy', { 'Client-Cert': clientCert(forged.certPem) }))).toBe('upgrade refused: HTTP 401');
  expect(await refusedWith(viaProxy('proxy', {}))).toBe('upgrade refused: HTTP 401');
  expect(await refusedWith(viaProxy('proxy', header, '127.0.0.1'))).toBe('upgrade refused: HTTP 403');
  expect(await refusedWith(viaProxy('main', header, '127.0.0.1'))).toBe('upgrade refused: HTTP 403');
  // A direct client certificate and a forwarded one together.
  const both = VehicleConnection.connect({
    url: gateway.url,
    ca: readFileSync(gateway.pki.caCert),
    cert: readFileSync(gateway.pki.vehicles[A].cert),
    key: readFileSync(gateway.pki.vehicles[A].key),
    headers: header,
    localAddress: PROXY,
  });
  expect(await refusedWith(both)).toBe('upgrade refused: HTTP 400');

  const scrape = parsePrometheus((await httpGet(metricsPort, '/metrics')).body);
  const refused = (reason: string) => scrape.value('gateway_forwarded_certificate_refused_total', { reason });
  expect([refused('unverified'), refused('missing'), refused('untrusted_source'), refused('direct_and_forwarded')]).toEqual([1, 1, 2, 1]);
  const logged = () => gateway.logs.filter((l) => l.msg === 'forwarded_certificate_refused').map((l) => String(l.reason));
  await gateway.waitForLog(() => logged().length === 5);
  expect(logged().sort()).toEqual(['direct_and_forwarded', 'missing', 'untrusted_source', 'untrusted_source', 'unverified']);
});

it('a vehicle with its own client certificate and no forwarded header still connects directly', async () => {
  const vehicle = await gateway.vehicle(A);
  await ackedAs(vehicle, A, 'direct-1');
  await vehicle.close();
});
