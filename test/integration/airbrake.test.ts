/**
 * Error reporting to Airbrake (PROTOCOL.md §11.7) against a real local notice endpoint: the body of
 * each kind of notice (sink error from a dispatch lane, WebSocket upgrade failure, worker crash),
 * the AIRBRAKE_PROJECT_KEY override, client TLS, and an Airbrake server that hangs or answers 500
 * changing nothing for vehicles.
 */
import { request } from 'node:https';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GatewayProcess, TEST_VINS } from '../harness/gateway-process';
import { NoticeServer, type ReceivedNotice } from '../harness/notice-server';
import { startService, stopService } from '../harness/services';
import { TEST_AWS_ENV } from '../harness/kinesis-reader';
import { createCa, issueCertificate } from '../../shared/pki';
import { packageRoot } from '../../shared/package-root';
import { seededRandom, streamFrame, vehicleDataPayload } from '../../bench/vehicle/records';

const VIN = TEST_VINS[0] as string;
const rand = seededRandom(17);
const VERSION = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;

/** A plain HTTPS request with a vehicle certificate that is not a WebSocket upgrade (§2.3 failure). */
function failedUpgrade(gateway: GatewayProcess, path: string): Promise<number> {
  const vehicle = gateway.pki.vehicles[VIN] as { cert: string; key: string };
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: gateway.port,
        path,
        ca: readFileSync(gateway.pki.caCert),
        cert: readFileSync(vehicle.cert),
        key: readFileSync(vehicle.key),
        agent: false,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('notices to an HTTPS Airbrake with client TLS and the key from the environment', () => {
  let notices: NoticeServer;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    const { KINESIS_ENDPOINT: endpoint } = await startService('kinesis', { KINESIS_STREAMS: 'airbrake_alerts' });
    const dir = mkdtempSync(join(tmpdir(), 'airbrake-'));
    const ca = await createCa({ commonName: 'Airbrake Test CA' });
    const server = await issueCertificate(ca, { commonName: '127.0.0.1', isServer: true, ipAddresses: ['127.0.0.1'] });
    const client = await issueCertificate(ca, { commonName: 'airbrake-client' });
    const file = (name: string, text: string): string => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    notices = await NoticeServer.start('ok', { cert: server.certPem, key: server.keyPem, ca: ca.certPem });
    gateway = await GatewayProcess.start({
      env: { ...TEST_AWS_ENV, AIRBRAKE_PROJECT_KEY: 'key-from-env' },
      config: {
        namespace: 'airbrake',
        // No stream airbrake_V exists: every V record fails in the Kinesis sink, on a dispatch lane.
        records: { V: ['kinesis'], alerts: ['logger'], errors: ['logger'], connectivity: ['logger'] },
        kinesis: { override_host: endpoint, max_retries: 0 },
        airbrake: {
          host: notices.url,
          project_id: 42,
          project_key: 'key-from-file',
          environment: 'integration',
          tls: {
            ca_file: file('ca.pem', ca.certPem),
            server_cert: file('client.pem', client.certPem),
            server_key: file('client.key', client.keyPem),
          },
        },
      },
    });
  }, 300_000);
  afterAll(async () => {
    await gateway?.stop();
    await notices?.close();
    await stopService('kinesis');
  });

  function expectCommon(notice: ReceivedNotice): void {
    expect(notice.path).toBe('/api/v3/projects/42/notices');
    expect(notice.headers.authorization).toBe('Bearer key-from-env');
    expect(notice.headers['content-type']).toBe('application/json');
    expect(notice.clientCommonName).toBe('airbrake-client');
    expect(notice.body.context).toMatchObject({
      environment: 'integration',
      version: VERSION,
      severity: 'error',
      notifier: { name: 'fleet-telemetry-gateway', version: VERSION },
    });
  }

  test('startup logs airbrake_configured with the key source (§11.7)', async () => {
    const line = await gateway.waitForLog((l) => l.msg === 'airbrake_configured');
    expect(line).toMatchObject({ source: 'environment_variable', env_key: 'AIRBRAKE_PROJECT_KEY', activity: true });
  });

  test('a WebSocket upgrade failure: error text and the request (method, path, remote address)', async () => {
    expect(await failedUpgrade(gateway, '/not-an-upgrade?x=1')).toBe(400);
    const notice = await notices.waitFor((n) => n.body.errors[0]?.type === 'websocket_upgrade_error');
    expectCommon(notice);
    expect(notice.body.errors[0]?.message).toBe('websocket upgrade failed: 400 Bad Request');
    expect(notice.body.context).toMatchObject({ httpMethod: 'GET', url: '/not-an-upgrade', userAddr: '127.0.0.1', component: 'worker 1' });
    expect(notice.body.params).toMatchObject({ log_type: 'error', method: 'GET', path: '/not-an-upgrade', remote_address: '127.0.0.1' });
  });

  test('a sink error on a dispatch lane: the log message and fields, with record type, txid and VIN', async () => {
    const vehicle = await gateway.vehicle(VIN);
    vehicle.send(streamFrame({ topic: 'V', txid: 'airbrake-tx-1', payload: vehicleDataPayload(VIN, 5, rand), vin: VIN }));
    const notice = await notices.waitFor((n) => n.body.errors[0]?.type === 'kinesis_err' && n.body.params.txid === 'airbrake-tx-1');
    expectCommon(notice);
    expect(notice.body.params).toMatchObject({ log_type: 'error', record_type: 'V', txid: 'airbrake-tx-1', vin: VIN, lane: 0 });
    expect(notice.body.errors[0]?.message).toBe(notice.body.params.error);
    expect(String(notice.body.params.error)).not.toBe('');
    await vehicle.close();
  });

  test('a worker crash, reported by the primary', async () => {
    const listening = await gateway.waitForLog((l) => l.msg === 'worker_listening');
    process.kill(Number(listening.worker_pid), 'SIGKILL');
    const notice = await notices.waitFor((n) => n.body.errors[0]?.type === 'worker_exited');
    expectCommon(notice);
    expect(notice.body.context.component).toBe('primary');
    expect(notice.body.errors[0]?.message).toBe(`worker ${String(listening.worker_pid)} exited (code null, signal SIGKILL)`);
  });
});

describe.each([
  ['hangs', 'hang'],
  ['answers 500', 'error500'],
] as const)('an Airbrake server that %s changes nothing for vehicles', (_what, mode) => {
  let notices: NoticeServer;
  let gateway: GatewayProcess;
  beforeAll(async () => {
    notices = await NoticeServer.start(mode);
    gateway = await GatewayProcess.start({ config: { airbrake: { host: notices.url, project_id: 7, project_key: 'k' } } });
  });
  afterAll(async () => {
    await gateway?.stop();
    await notices?.close();
  });

  test('every frame is ACKed in order while notices are failing (more than the queue holds)', async () => {
    expect(await failedUpgrade(gateway, '/first')).toBe(400);
    await notices.waitFor(() => true); // the notifier is now busy with a request that hangs or fails
    const vehicle = await gateway.vehicle(VIN);
    const txids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const txid = `order-${i}`;
      txids.push(txid);
      vehicle.send(streamFrame({ topic: 'V', txid, payload: vehicleDataPayload(VIN, 5, rand), vin: VIN }));
      // Upgrade failures between the frames: 200 error reports, far above the queue and the budget.
      await Promise.all(Array.from({ length: 5 }, (_, j) => failedUpgrade(gateway, `/u-${i}-${j}`)));
    }
    const replies = [];
    for (let i = 0; i < txids.length; i++) replies.push(await vehicle.nextReply());
    expect(replies.map((r) => [r.kind, r.txid])).toEqual(txids.map((txid) => ['ack', txid]));
    if (mode === 'hang') expect(notices.unanswered).toBeGreaterThanOrEqual(1);
    else expect(notices.received.length).toBeGreaterThanOrEqual(1);
    await vehicle.close();
  });
});
