/**
 * The ZMQ sink with a real SUB socket (PROTOCOL.md §10.4): one [topic, payload] message per record,
 * topic `<namespace>_<type>`, the dispatched payload bytes; CURVE with an allow-list; the startup
 * errors (a reliable-ack role, several workers, an address in use).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { curveKeyPair } from 'zeromq';
import { GatewayProcess, TEST_VINS } from '../harness/gateway-process';
import { ZmqReader } from '../harness/zmq-reader';
import { expectStartupFailure } from '../harness/startup-failure';
import { freePort } from '../../shared/free-port';
import { alertsPayload, errorsPayload, seededRandom, streamFrame, vehicleDataPayload } from '../../bench/vehicle/records';
import { decode, payloadTypeFor } from '../../shared/protobuf';
import type { VehicleConnection } from '../../bench/vehicle/vehicle-client';

const VIN = TEST_VINS[0];
const rand = seededRandom(47);
const NS = 'zq';

function zmqGateway(addr: string, zmq: Record<string, unknown> = {}) {
  return GatewayProcess.start({
    workers: 1,
    dispatchThreads: 2,
    config: {
      namespace: NS,
      records: { V: ['zmq'], alerts: ['zmq'], errors: ['zmq'], connectivity: ['zmq'], marker: ['zmq'] },
      zmq: { addr, ...zmq },
    },
  });
}

/** Sends `marker` records (a type of our own, forwarded as is) until the subscriber gets one: its subscription reached the PUB socket. */
async function joinSubscriber(vehicle: VehicleConnection, reader: ZmqReader): Promise<void> {
  for (let i = 0; ; i++) {
    vehicle.send(streamFrame({ topic: 'marker', txid: `join-${i}`, payload: Buffer.from('marker'), vin: VIN }));
    expect(await vehicle.nextReply()).toMatchObject({ kind: 'ack' });
    if (await reader.waitUntil(() => reader.messages.length > 0, 200)) return;
  }
}

describe('zmq sink', () => {
  let gateway: GatewayProcess;
  let reader: ZmqReader;
  let addr: string;
  beforeAll(async () => {
    addr = `tcp://127.0.0.1:${await freePort()}`;
    gateway = await zmqGateway(addr);
    reader = new ZmqReader();
    reader.start(addr, `${NS}_`);
  });
  afterAll(async () => {
    reader?.close();
    await gateway?.stop();
  });

  it('publishes one [<namespace>_<type>, payload] message per record, in order', async () => {
    const vehicle = await gateway.vehicle(VIN);
    await joinSubscriber(vehicle, reader);
    const records = () => reader.messages.filter((m) => m.topic !== 'zq_marker' && m.topic !== 'zq_connectivity');
    const sent = { errors: errorsPayload(VIN), alerts: alertsPayload(VIN, rand) };
    const vs = Array.from({ length: 20 }, () => vehicleDataPayload(VIN, 8, rand));
    vehicle.send(streamFrame({ topic: 'errors', txid: 'zq-e', payload: sent.errors, vin: VIN }));
    for (const [i, v] of vs.entries()) vehicle.send(streamFrame({ topic: 'V', txid: `zq-V-${i}`, payload: v, vin: VIN }));
    vehicle.send(streamFrame({ topic: 'alerts', txid: 'zq-a', payload: sent.alerts, vin: VIN }));
    for (let i = 0; i < 22; i++) expect(await vehicle.nextReply()).toMatchObject({ kind: 'ack' });
    expect(await reader.waitUntil(() => records().length >= 22)).toBe(true);
    const got = records();
    expect(got.map((m) => m.topic)).toEqual(['zq_errors', ...vs.map(() => 'zq_V'), 'zq_alerts']);
    expect(decode(payloadTypeFor('errors'), got[0].payload)).toEqual(decode(payloadTypeFor('errors'), sent.errors));
    expect(decode(payloadTypeFor('alerts'), got[21].payload)).toEqual(decode(payloadTypeFor('alerts'), sent.alerts));
    // V after the transforms: same data entries, VIN from the certificate.
    got.slice(1, 21).forEach((m, i) => {
      const want = decode(payloadTypeFor('V'), vs[i]) as { ok: true; message: { data: unknown[] } };
      expect(decode(payloadTypeFor('V'), m.payload)).toMatchObject({ ok: true, message: { vin: VIN } });
      expect((decode(payloadTypeFor('V'), m.payload) as typeof want).message.data).toHaveLength(want.message.data.length);
    });
    await vehicle.close();
    expect(await reader.waitUntil(() => reader.messages.filter((m) => m.topic === 'zq_connectivity').length >= 1)).toBe(true);
  });
});

describe('zmq sink with CURVE', () => {
  it('admits a subscriber whose public key is allowed, and not another', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ft-zmq-'));
    const server = curveKeyPair();
    const allowed = curveKeyPair();
    const denied = curveKeyPair();
    writeFileSync(join(dir, 'server.json'), JSON.stringify({ secret: server.secretKey, public: server.publicKey }));
    writeFileSync(join(dir, 'allowed.json'), JSON.stringify([allowed.publicKey]));
    const addr = `tcp://127.0.0.1:${await freePort()}`;
    const gateway = await zmqGateway(addr, {
      server_key_json_path: join(dir, 'server.json'),
      allowed_public_keys_json_path: join(dir, 'allowed.json'),
    });
    const good = new ZmqReader({ curveServerKey: server.publicKey, curvePublicKey: allowed.publicKey, curveSecretKey: allowed.secretKey });
    const bad = new ZmqReader({ curveServerKey: server.publicKey, curvePublicKey: denied.publicKey, curveSecretKey: denied.secretKey });
    try {
      const refused = new Promise<string>((resolve) => bad.socket.events.on('handshake:error:auth', (e) => resolve(e.type)));
      good.start(addr, NS);
      bad.start(addr, NS);
      expect(await refused).toBe('handshake:error:auth');
      const vehicle = await gateway.vehicle(VIN);
      await joinSubscriber(vehicle, good);
      // Whatever arrived first (a marker or the CONNECTED record) came through the CURVE handshake.
      expect(good.messages.length).toBeGreaterThan(0);
      expect(good.messages.every((m) => m.topic.startsWith(`${NS}_`))).toBe(true);
      expect(bad.messages).toEqual([]);
      await vehicle.close();
    } finally {
      good.close();
      bad.close();
      await gateway.stop();
    }
  });
});

describe('zmq startup errors', () => {
  it('zmq as a reliable-ack source is refused naming the key', async () => {
    const addr = `tcp://127.0.0.1:${await freePort()}`;
    const failure = await expectStartupFailure(
      { records: { V: ['zmq'] }, reliable_ack_sources: { V: 'zmq' }, zmq: { addr } },
      {},
      /reliable_ack_sources.V\\?": zmq cannot confirm delivery/,
    );
    expect(failure.stderr).toMatch(/reliable_ack_sources.V\\?": zmq cannot confirm delivery/);
    expect(failure.listened).toBe(false);
  });

  it('more than one worker is refused naming gateway.workers', async () => {
    const addr = `tcp://127.0.0.1:${await freePort()}`;
    const failure = await expectStartupFailure(
      { records: { V: ['zmq'] }, zmq: { addr }, gateway: { workers: 2, dispatch_threads: 1 } },
      {},
      /gateway.workers\\?": zmq binds one socket/,
    );
    expect(failure.stderr).toMatch(/gateway.workers\\?": zmq binds one socket/);
    expect(failure.listened).toBe(false);
    expect(failure.exitCode).not.toBe(0);
  });
});
