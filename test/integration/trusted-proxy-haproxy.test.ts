/**
 * Trusted-proxy mTLS behind a real reverse proxy: HAProxy (test/services/haproxy) terminates the
 * vehicle's mutual TLS and forwards its certificate in RFC 9440 `Client-Cert` to the gateway's plain
 * proxy listener; the gateway verifies it again and takes the vehicle's identity from it.
 */
import { readFileSync } from 'node:fs';
import { GatewayProcess, TEST_VINS } from '../harness/gateway-process';
import { startService, stopService } from '../harness/services';
import { VehicleConnection } from '../../bench/vehicle/vehicle-client';
import { seededRandom, streamFrame, vehicleDataPayload } from '../../bench/vehicle/records';
import { freePort } from '../../shared/free-port';

const [A, B] = TEST_VINS;
const rand = seededRandom(2);

let gateway: GatewayProcess;
let proxyUrl: string;

beforeAll(async () => {
  const proxyPort = await freePort();
  gateway = await GatewayProcess.start({ config: { trusted_proxy: { header: 'Client-Cert', port: proxyPort } } });
  await gateway.waitForLog((l) => l.msg === 'trusted_proxy_listening');
  const env = await startService('haproxy', {
    HAPROXY_PORT: String(await freePort()),
    HAPROXY_BACKEND: `127.0.0.1:${proxyPort}`,
    HAPROXY_CERT: gateway.pki.serverCert,
    HAPROXY_KEY: gateway.pki.serverKey,
    HAPROXY_CA: gateway.pki.caCert,
  });
  proxyUrl = env.HAPROXY_URL;
}, 300_000);
afterAll(async () => {
  await stopService('haproxy');
  await gateway?.stop();
});

function throughProxy(vin: string, headers?: Record<string, string>): Promise<VehicleConnection> {
  return VehicleConnection.connect({
    url: proxyUrl,
    ca: readFileSync(gateway.pki.caCert),
    cert: readFileSync(gateway.pki.vehicles[vin].cert),
    key: readFileSync(gateway.pki.vehicles[vin].key),
    headers,
  });
}

it('a vehicle behind HAProxy is ACKed, with the identity of its own certificate', async () => {
  // The vehicle's own Client-Cert header (another VIN's certificate) is replaced by the proxy's.
  const other = readFileSync(gateway.pki.vehicles[B].cert, 'utf8').replace(/-----[^-]+-----|\s/g, '');
  const vehicle = await throughProxy(A, { 'Client-Cert': `:${other}:` });
  vehicle.send(streamFrame({ topic: 'V', txid: 'haproxy-1', payload: vehicleDataPayload(A, 5, rand), vin: A }));
  expect((await vehicle.nextReply()).kind).toBe('ack');
  const record = await gateway.waitForLog((l) => l.msg === 'record_payload' && (l.metadata as { txid?: string }).txid === 'haproxy-1');
  expect(record.vin).toBe(A);
  await vehicle.close();
  const disconnected = await gateway.waitForLog(
    (l) => l.msg === 'record_payload' && l.vin === A && (l.data as { Status?: string }).Status === 'DISCONNECTED',
  );
  expect((disconnected.metadata as { txtype: string }).txtype).toBe('connectivity');
});
