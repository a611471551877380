/**
 * The Pub/Sub sink against Google's Pub/Sub fake (pstest, test/services/pubsub): topics created at
 * startup, data and the 7 metadata attributes as PROTOCOL.md §10.3 says, reliable ACKs (§9) only
 * once the publish returned a message id, no ACK and `pubsub_err` while the emulator is down, the
 * §10.3 startup errors, and a SIGTERM drain that publishes what was ACKed.
 */
import { GatewayProcess, TEST_VINS } from '../harness/gateway-process';
import { startService, stopService } from '../harness/services';
import { PubsubReader } from '../../bench/readback/pubsub-reader';
import { sendThroughDrain } from '../harness/drain-run';
import { pauseService, resumeService } from '../../bench/server/service-pause';
import { expectStartupFailure } from '../harness/startup-failure';
import { freePort } from '../../shared/free-port';
import { waitForMetric } from '../harness/metric-poll';
import { alertsPayload, errorsPayload, seededRandom, streamFrame, vehicleDataPayload } from '../../bench/vehicle/records';
import { PayloadType, decode, payloadTypeFor } from '../../shared/protobuf';
import type { Payload, VehicleConnectivity } from '../../shared/protobuf';
import goldenVectors from '../fixtures/golden-vectors.json';

const PROJECT = 'fleet-test';
const TYPES = ['V', 'alerts', 'errors', 'connectivity'];
const rand = seededRandom(23);
/** Namespaces, unique per run (an emulator that was already running keeps its topics). */
const RUN = Date.now().toString(36);
const NS = { pt: `pt${RUN}`, pr: `pr${RUN}`, pd: `pd${RUN}`, pz: `pz${RUN}` };
let env: Record<string, string>;
let reader: PubsubReader;

async function startPubsub(): Promise<void> {
  env = await startService('pubsub');
}

beforeAll(async () => {
  await startPubsub();
  reader = new PubsubReader(env.PUBSUB_EMULATOR_HOST, PROJECT);
}, 600_000);

afterAll(async () => {
  await reader?.close();
  await stopService('pubsub');
});

function pubsubGateway(namespace: string, extra: Record<string, unknown> = {}, pubsub: Record<string, unknown> = {}, workers = 1) {
  return GatewayProcess.start({
    workers,
    env,
    config: {
      namespace,
      records: { V: ['pubsub'], alerts: ['pubsub'], errors: ['pubsub'], connectivity: ['pubsub'] },
      pubsub: { gcp_project_id: PROJECT, ...pubsub },
      ...extra,
    },
  });
}

const METADATA_KEYS = ['device_client_version', 'receivedat', 'timestamp', 'txid', 'txtype', 'version', 'vin'];

describe('pubsub sink', () => {
  let gateway: GatewayProcess;
  let metricsPort: number;
  beforeAll(async () => {
    for (const t of TYPES) expect(await reader.topicExists(`${NS.pt}_${t}`)).toBe(false);
    metricsPort = await freePort();
    gateway = await pubsubGateway(NS.pt, { monitoring: { prometheus_metrics_port: metricsPort } });
    for (const t of TYPES) await reader.subscribe(`${NS.pt}_${t}`);
  });
  afterAll(async () => {
    await gateway?.stop();
  });

  it('created the missing topics <namespace>_<type> at startup', async () => {
    for (const t of TYPES) expect(await reader.topicExists(`${NS.pt}_${t}`)).toBe(true);
    expect(gateway.logs.filter((l) => l.msg === 'pubsub_topic_created').map((l) => l.topic_name)).toEqual(
      expect.arrayContaining(TYPES.map((t) => `${NS.pt}_${t}`)),
    );
    expect(gateway.logs.find((l) => l.msg === 'pubsub_registered')).toMatchObject({ project: PROJECT, namespace: NS.pt });
  });

  it('publishes every record type with the 7 metadata attributes and a payload that decodes equal', async () => {
    const vin = TEST_VINS[0];
    const vehicle = await gateway.vehicle(vin, { Version: '2024.1' });
    const sent = {
      V: Buffer.from(goldenVectors.protobuf.v_payload_in.hex, 'hex'),
      alerts: alertsPayload(vin, rand),
      errors: errorsPayload(vin),
    };
    for (const [topic, payload] of Object.entries(sent)) {
      vehicle.send(streamFrame({ topic, txid: `pt-${topic}`, payload, vin }));
      expect(await vehicle.nextReply()).toMatchObject({ kind: 'ack', txid: `pt-${topic}` });
    }
    await reader.waitUntil(() => Object.keys(sent).every((t) => reader.byAttribute('txid', `pt-${t}`).length === 1));
    for (const topic of Object.keys(sent)) {
      const [m] = reader.byAttribute('txid', `pt-${topic}`);
      expect(m.topic).toBe(`${NS.pt}_${topic}`);
      expect(Object.keys(m.attributes).sort()).toEqual(METADATA_KEYS);
      expect(m.attributes).toMatchObject({ vin, txtype: topic, timestamp: '0', version: '0', device_client_version: '2024.1' });
      expect(Number(m.attributes.receivedat)).toBeGreaterThan(1_600_000_000_000);
    }
    // V: the transformed payload (§6.3); alerts and errors as sent.
    const expected = decode(PayloadType, Buffer.from(goldenVectors.protobuf['v_payload_out_for_device-1'].hex, 'hex'));
    expect(decode(PayloadType, reader.byAttribute('txid', 'pt-V')[0].data)).toEqual({
      ok: true,
      message: { ...(expected as { message: Payload }).message, vin },
    });
    for (const topic of ['alerts', 'errors'] as const)
      expect(decode(payloadTypeFor(topic)!, reader.byAttribute('txid', `pt-${topic}`)[0].data)).toEqual(
        decode(payloadTypeFor(topic)!, sent[topic]),
      );
    // Connectivity records (§7): the socket id as txid, CONNECTED then DISCONNECTED.
    await vehicle.close();
    const ofVin = () => reader.messages.filter((m) => m.topic === `${NS.pt}_connectivity` && m.attributes.vin === vin);
    await reader.waitUntil(() => ofVin().length >= 2);
    const statuses = ofVin().map(
      (m) => (decode(payloadTypeFor('connectivity'), m.data) as { ok: true; message: VehicleConnectivity }).message.status,
    );
    expect(statuses.sort()).toEqual([1, 2]);
  });

  it('publishes many records of several vehicles without losing any', async () => {
    const vins = TEST_VINS.slice(1, 4);
    const vehicles = await Promise.all(vins.map((vin) => gateway.vehicle(vin)));
    const count = 100;
    for (let i = 0; i < count; i++)
      vehicles.forEach((v, k) =>
        v.send(streamFrame({ topic: 'V', txid: `pm-${k}-${i}`, payload: vehicleDataPayload(vins[k], 20, rand), vin: vins[k] })),
      );
    for (const v of vehicles) for (let i = 0; i < count; i++) expect((await v.nextReply()).kind).toBe('ack');
    await reader.waitUntil(() => reader.messages.filter((m) => m.attributes.txid?.startsWith('pm-')).length === count * vins.length);
    await Promise.all(vehicles.map((v) => v.close()));
  });

  it('counts pubsub_publish_total and pubsub_publish_total_bytes per record type (§11.2)', async () => {
    // 1 V in the first test, 3 × 100 in the second; one alerts and one errors record.
    await waitForMetric(metricsPort, 'pubsub_publish_total', { record_type: 'V' }, (v) => v === 301);
    await waitForMetric(metricsPort, 'pubsub_publish_total', { record_type: 'errors' }, (v) => v === 1);
    await waitForMetric(metricsPort, 'pubsub_publish_total_bytes', { record_type: 'V' }, (v) => v > 301);
    expect(await waitForMetric(metricsPort, 'pubsub_err', { record_type: 'V' }, () => true)).toBe(0);
  });
});

describe('reliable acks (§9)', () => {
  const vin = TEST_VINS[3];
  const frame = (txid: string) => streamFrame({ topic: 'V', txid, payload: vehicleDataPayload(vin, 10, rand), vin });

  it('holds the ACK while the emulator does not answer, and sends it once the publish returned an id', async () => {
    const metricsPort = await freePort();
    const gateway = await pubsubGateway(NS.pr, {
      reliable_ack_sources: { V: 'pubsub' },
      records: { V: ['pubsub'] },
      monitoring: { prometheus_metrics_port: metricsPort },
    });
    try {
      await reader.subscribe(`${NS.pr}_V`);
      const vehicle = await gateway.vehicle(vin);
      vehicle.send(frame('pr-1'));
      expect(await vehicle.nextReply()).toMatchObject({ kind: 'ack', txid: 'pr-1' });
      pauseService('pubsub');
      try {
        vehicle.send(frame('pr-2'));
        await new Promise((r) => setTimeout(r, 3000));
        expect(vehicle.pendingReplies).toBe(0);
      } finally {
        resumeService('pubsub');
      }
      expect(await vehicle.nextReply(60_000)).toMatchObject({ kind: 'ack', txid: 'pr-2' });
      await reader.waitUntil(() => reader.byAttribute('txid', 'pr-2').length === 1);
      await waitForMetric(metricsPort, 'pubsub_reliable_ack_total', { record_type: 'V' }, (v) => v === 2);
      await vehicle.close();
    } finally {
      await gateway.stop();
    }
  }, 120_000);

  it('never ACKs a record whose publish failed, and logs pubsub_err', async () => {
    const metricsPort = await freePort();
    const gateway = await pubsubGateway(
      NS.pd,
      { reliable_ack_sources: { V: 'pubsub' }, records: { V: ['pubsub'] }, monitoring: { prometheus_metrics_port: metricsPort } },
      { publish_timeout_ms: 3000 },
    );
    try {
      const vehicle = await gateway.vehicle(vin);
      await stopService('pubsub');
      vehicle.send(frame('pd-down'));
      const error = await gateway.waitForLog((l) => l.msg === 'pubsub_err' && l.txid === 'pd-down', 30_000);
      expect(error).toMatchObject({ topic_name: `${NS.pd}_V`, record_type: 'V' });
      expect(vehicle.pendingReplies).toBe(0);
      await waitForMetric(metricsPort, 'pubsub_err', { record_type: 'V' }, (v) => v === 1);
      await startPubsub();
      // The fake keeps nothing across a restart: the topic is created again, as an operator would.
      await reader.createTopic(`${NS.pd}_V`);
      // The client reconnects with backoff, so early publishes may fail too: send until one is
      // ACKed. Replies leave in order of decision: the failed record never gets one.
      let reply;
      for (let attempt = 0; reply === undefined; attempt++) {
        expect(attempt).toBeLessThan(12);
        vehicle.send(frame(`pd-after-${attempt}`));
        reply = await vehicle.nextReply(10_000).catch(() => undefined);
      }
      expect(reply).toMatchObject({ kind: 'ack' });
      expect(reply.txid).toMatch(/^pd-after-/);
      await vehicle.close();
    } finally {
      await gateway.stop();
    }
  }, 240_000);
});

it('drains on SIGTERM: every ACKed record is published', async () => {
  const gateway = await pubsubGateway(NS.pz, { records: { V: ['pubsub'] } }, {}, 2);
  await reader.subscribe(`${NS.pz}_V`);
  const vehicles = await Promise.all(TEST_VINS.map((v) => gateway.vehicle(v)));
  const run = await sendThroughDrain(gateway, vehicles, (k, round) =>
    streamFrame({ topic: 'V', txid: `pz-${k}-${round}`, payload: vehicleDataPayload(TEST_VINS[k], 20, rand), vin: TEST_VINS[k] }),
  );
  expect(run.exitCode).toBe(0);
  const acked = run.acked.flat();
  expect(acked.length).toBeGreaterThan(0);
  await reader.waitUntil(() => acked.every((txid) => reader.byAttribute('txid', txid).length >= 1));
}, 120_000);

describe('startup (§10.3)', () => {
  it('fails without a project id', async () => {
    const result = await expectStartupFailure(
      { records: { V: ['pubsub'] }, pubsub: { gcp_project_id: '' } },
      env,
      /pubsub_connect_error GCP Project ID cannot be empty/,
    );
    expect(result.listened).toBe(false);
  });

  it('fails with both PUBSUB_EMULATOR_HOST and GOOGLE_APPLICATION_CREDENTIALS set', async () => {
    const result = await expectStartupFailure(
      { records: { V: ['pubsub'] }, pubsub: { gcp_project_id: PROJECT } },
      { ...env, GOOGLE_APPLICATION_CREDENTIALS: '' },
      /pubsub_connect_error pubsub cannot initialize with both emulator and GCP resource/,
    );
    expect(result.listened).toBe(false);
  });

  it('fails with pubsub_topic_creation_error when the topics cannot be checked or created', async () => {
    const result = await expectStartupFailure(
      { namespace: 'px', records: { V: ['pubsub'] }, pubsub: { gcp_project_id: PROJECT, connect_timeout_ms: 2000 } },
      { ...env, PUBSUB_EMULATOR_HOST: '127.0.0.1:1' },
      /pubsub_topic_creation_error topic_name=px_V txType=V: /,
    );
    expect(result.stderr).toMatch(/"msg":"pubsub_topic_creation_error"/);
    expect(result.listened).toBe(false);
  });
});
