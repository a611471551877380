/**
 * The Kinesis sink against a real Kinesis API server (kinesalite, test/services/kinesis): streams,
 * partition keys and payloads as PROTOCOL.md §10.2 says, stream-name overrides by config and by
 * environment, per-VIN order, reliable ACKs (§9) only after PutRecords accepted the record, no ACK
 * and `kinesis_err` while the server is down, the §10.2 startup test connection, and a SIGTERM drain
 * that flushes what was ACKed. (Partial PutRecords failures: kinesalite never fails part of a batch,
 * so put-records-batcher.test.ts covers them with a fake client.)
 */
import { GatewayProcess, TEST_VINS } from '../harness/gateway-process';
import { startService, stopService } from '../harness/services';
import { KinesisReader, TEST_AWS_ENV } from '../harness/kinesis-reader';
import { sendThroughDrain } from '../harness/drain-run';
import type { StreamRecord } from '../harness/kinesis-reader';
import { expectStartupFailure } from '../harness/startup-failure';
import { freePort } from '../../shared/free-port';
import { waitForMetric } from '../harness/metric-poll';
import { alertsPayload, errorsPayload, seededRandom, streamFrame, vehicleDataPayload } from '../../bench/vehicle/records';
import { PayloadType, create, decode, encode, payloadTypeFor } from '../../shared/protobuf';
import type { Payload, VehicleConnectivity } from '../../shared/protobuf';
import goldenVectors from '../fixtures/golden-vectors.json';

const TYPES = ['V', 'alerts', 'errors', 'connectivity'];
/**
 * Namespaces, unique per run (a server that was already running keeps its streams): kt main,
 * ko overrides, kr reliable acks, kd drain.
 */
const RUN = Date.now().toString(36);
const NS = { kt: `kt${RUN}`, ko: `ko${RUN}`, kr: `kr${RUN}`, kd: `kd${RUN}` };
const STREAMS = [
  ...[NS.kt, NS.kr, NS.kd].flatMap((ns) => TYPES.map((t) => `${ns}_${t}`)),
  `${NS.ko}_V`,
  `${NS.ko}_config_V`,
  `${NS.ko}_env_alerts`,
  `${NS.ko}_config_errors`,
  `${NS.ko}_env_errors`,
];
const rand = seededRandom(11);
let endpoint: string;
let reader: KinesisReader;

async function startKinesis(): Promise<void> {
  ({ KINESIS_ENDPOINT: endpoint } = await startService('kinesis', { KINESIS_STREAMS: STREAMS.join(',') }));
}

beforeAll(async () => {
  await startKinesis();
  reader = new KinesisReader(endpoint);
}, 300_000);

afterAll(async () => {
  reader?.close();
  await stopService('kinesis');
});

function kinesisGateway(
  namespace: string,
  extra: Record<string, unknown> = {},
  kinesis: Record<string, unknown> = {},
  env = {},
  workers = 1,
) {
  return GatewayProcess.start({
    workers,
    env: { ...TEST_AWS_ENV, ...env },
    config: {
      namespace,
      records: { V: ['kinesis'], alerts: ['kinesis'], errors: ['kinesis'], connectivity: ['kinesis'] },
      kinesis: { override_host: endpoint, ...kinesis },
      ...extra,
    },
  });
}

const decoded = <T>(type: string, r: StreamRecord): T => {
  const result = decode(payloadTypeFor(type)!, r.data);
  if (!result.ok) throw new Error(`undecodable ${type} record`);
  return result.message as T;
};

/** A V payload whose created_at carries a sequence number (the V transform keeps it, §6.3). */
const numberedV = (vin: string, n: number) =>
  encode(PayloadType, create(PayloadType, { vin, created_at: { seconds: BigInt(1_700_000_000 + n), nanos: 0 }, data: [] }));
const numberOf = (r: StreamRecord) => Number(decoded<Payload>('V', r).created_at!.seconds) - 1_700_000_000;

describe('kinesis sink', () => {
  let gateway: GatewayProcess;
  let metricsPort: number;
  beforeAll(async () => {
    metricsPort = await freePort();
    gateway = await kinesisGateway(NS.kt, { monitoring: { prometheus_metrics_port: metricsPort } });
  });
  afterAll(async () => {
    await gateway?.stop();
  });

  it('puts every record type into <namespace>_<type>, partition key = VIN, payloads that decode equal', async () => {
    const vin = TEST_VINS[0];
    const vehicle = await gateway.vehicle(vin);
    const sent = {
      V: Buffer.from(goldenVectors.protobuf.v_payload_in.hex, 'hex'),
      alerts: alertsPayload(vin, rand),
      errors: errorsPayload(vin),
    };
    for (const [topic, payload] of Object.entries(sent)) {
      vehicle.send(streamFrame({ topic, txid: `kt-${topic}`, payload, vin }));
      expect(await vehicle.nextReply()).toMatchObject({ kind: 'ack', txid: `kt-${topic}` });
    }
    const [v] = await reader.waitFor(`${NS.kt}_V`, (rs) => rs.length === 1);
    expect(v.partitionKey).toBe(vin);
    // The V payload is the transformed one (§6.3): VIN overwritten, location parsed, 5-decimal fix.
    const expected = decode(PayloadType, Buffer.from(goldenVectors.protobuf['v_payload_out_for_device-1'].hex, 'hex'));
    expect(expected.ok).toBe(true);
    expect(decoded<Payload>('V', v)).toEqual({ ...(expected as { message: Payload }).message, vin });
    for (const topic of ['alerts', 'errors'] as const) {
      const [r] = await reader.waitFor(`${NS.kt}_${topic}`, (rs) => rs.length === 1);
      expect(r.partitionKey).toBe(vin);
      expect(decode(payloadTypeFor(topic)!, r.data)).toEqual(decode(payloadTypeFor(topic)!, sent[topic]));
    }
    // Connectivity records (§7) go to the connectivity stream, keyed by VIN.
    await vehicle.close();
    const conn = await reader.waitFor(`${NS.kt}_connectivity`, (rs) => rs.filter((r) => r.partitionKey === vin).length >= 2);
    expect(conn.map((r) => decoded<VehicleConnectivity>('connectivity', r).status).slice(0, 2)).toEqual([1, 2]);
  });

  it('keeps each VIN’s records in order, with several VINs sending at once', async () => {
    const vins = TEST_VINS.slice(1, 4);
    const vehicles = await Promise.all(vins.map((vin) => gateway.vehicle(vin)));
    const count = 120;
    for (let i = 0; i < count; i++)
      vehicles.forEach((vehicle, k) =>
        vehicle.send(streamFrame({ topic: 'V', txid: `o-${i}`, payload: numberedV(vins[k], i), vin: vins[k] })),
      );
    for (const vehicle of vehicles) for (let i = 0; i < count; i++) expect((await vehicle.nextReply()).txid).toBe(`o-${i}`);
    const records = await reader.waitFor(`${NS.kt}_V`, (rs) =>
      vins.every((vin) => rs.filter((r) => r.partitionKey === vin).length === count),
    );
    for (const vin of vins)
      expect(records.filter((r) => r.partitionKey === vin).map(numberOf)).toEqual(Array.from({ length: count }, (_, i) => i));
    await Promise.all(vehicles.map((v) => v.close()));
  });

  it('counts kinesis_publish_total and kinesis_publish_total_bytes per record type (§11.2)', async () => {
    // 1 V in the first test, 3 × 120 in the second; one alerts and one errors record.
    await waitForMetric(metricsPort, 'kinesis_publish_total', { record_type: 'V' }, (v) => v === 361);
    await waitForMetric(metricsPort, 'kinesis_publish_total', { record_type: 'alerts' }, (v) => v === 1);
    await waitForMetric(metricsPort, 'kinesis_publish_total_bytes', { record_type: 'V' }, (v) => v > 361);
    expect(await waitForMetric(metricsPort, 'kinesis_err', { record_type: 'V' }, () => true)).toBe(0);
  });
});

it('names streams by kinesis.streams and by KINESIS_STREAM_<TYPE>, the variable winning', async () => {
  const gateway = await kinesisGateway(
    NS.ko,
    {},
    { streams: { V: `${NS.ko}_config_V`, errors: `${NS.ko}_config_errors` } },
    { KINESIS_STREAM_ALERTS: `${NS.ko}_env_alerts`, KINESIS_STREAM_ERRORS: `${NS.ko}_env_errors`, KINESIS_STREAM_CONNECTIVITY: '' },
  );
  try {
    const vin = TEST_VINS[0];
    const vehicle = await gateway.vehicle(vin);
    const payloads = { V: vehicleDataPayload(vin, 10, rand), alerts: alertsPayload(vin, rand), errors: errorsPayload(vin) };
    for (const [topic, payload] of Object.entries(payloads)) {
      vehicle.send(streamFrame({ topic, txid: `ko-${topic}`, payload, vin }));
      expect((await vehicle.nextReply()).kind).toBe('ack');
    }
    await vehicle.close();
    await reader.waitFor(`${NS.ko}_config_V`, (rs) => rs.length === 1);
    await reader.waitFor(`${NS.ko}_env_alerts`, (rs) => rs.length === 1);
    await reader.waitFor(`${NS.ko}_env_errors`, (rs) => rs.length === 1);
    // An empty variable counts as unset: connectivity keeps <namespace>_connectivity (not created here).
    expect(await reader.read(`${NS.ko}_V`)).toEqual([]);
    expect(await reader.read(`${NS.ko}_config_errors`)).toEqual([]);
  } finally {
    await gateway.stop();
  }
});

describe('reliable acks (§9)', () => {
  const vin = TEST_VINS[3];
  const frame = (txid: string, n: number) => streamFrame({ topic: 'V', txid, payload: numberedV(vin, n), vin });

  it('sends the ACK only once PutRecords accepted the record', async () => {
    const metricsPort = await freePort();
    const gateway = await kinesisGateway(NS.kr, {
      reliable_ack_sources: { V: 'kinesis' },
      monitoring: { prometheus_metrics_port: metricsPort },
    });
    try {
      const vehicle = await gateway.vehicle(vin);
      for (let n = 0; n < 5; n++) {
        vehicle.send(frame(`kr-${n}`, n));
        expect(await vehicle.nextReply()).toMatchObject({ kind: 'ack', txid: `kr-${n}` });
        // No waiting: when the ACK is here, the record is in the stream.
        expect((await reader.read(`${NS.kr}_V`)).map(numberOf)).toContain(n);
      }
      await waitForMetric(metricsPort, 'kinesis_reliable_ack_total', { record_type: 'V' }, (v) => v === 5);
      await vehicle.close();
    } finally {
      await gateway.stop();
    }
  });

  it('sends no ACK while Kinesis is down and logs kinesis_err; ACKs again once it is back', async () => {
    const metricsPort = await freePort();
    const gateway = await kinesisGateway(
      NS.kr,
      { reliable_ack_sources: { V: 'kinesis' }, monitoring: { prometheus_metrics_port: metricsPort } },
      { max_retries: 2 },
    );
    try {
      const vehicle = await gateway.vehicle(vin);
      vehicle.send(frame('kr-before', 100));
      expect((await vehicle.nextReply()).txid).toBe('kr-before');
      await stopService('kinesis');
      vehicle.send(frame('kr-down', 101));
      const error = await gateway.waitForLog((l) => l.msg === 'kinesis_err' && l.txid === 'kr-down', 30_000);
      expect(error).toMatchObject({ record_type: 'V', vin, stream: `${NS.kr}_V` });
      expect(String(error.error)).toMatch(/ECONNREFUSED/);
      await waitForMetric(metricsPort, 'kinesis_err', { record_type: 'V' }, (v) => v === 1);
      await startKinesis(); // in memory: the streams are new
      vehicle.send(frame('kr-after', 102));
      // Replies leave in arrival order: had the failed record been answered, its reply would come first.
      expect(await vehicle.nextReply(30_000)).toMatchObject({ kind: 'ack', txid: 'kr-after' });
      expect((await reader.read(`${NS.kr}_V`)).map(numberOf)).toEqual([102]);
      await vehicle.close();
    } finally {
      await gateway.stop();
    }
  }, 120_000);
});

it('drains on SIGTERM: every ACKed record is in Kinesis', async () => {
  const gateway = await kinesisGateway(NS.kd, {}, {}, {}, 2);
  const vehicles = await Promise.all(TEST_VINS.map((v) => gateway.vehicle(v)));
  const run = await sendThroughDrain(gateway, vehicles, (k, round) =>
    streamFrame({ topic: 'V', txid: String(round), payload: numberedV(TEST_VINS[k], round), vin: TEST_VINS[k] }),
  );
  expect(run.exitCode).toBe(0);
  const acked = new Map(run.acked.map((txids, k) => [TEST_VINS[k], txids.map(Number)]));
  expect([...acked.values()].flat().length).toBeGreaterThan(0);
  const records = await reader.read(`${NS.kd}_V`);
  for (const [vin, numbers] of acked) {
    const inStream = records.filter((r) => r.partitionKey === vin).map(numberOf);
    expect(inStream.slice(0, numbers.length)).toEqual(numbers);
  }
}, 120_000);

describe('startup (§10.2)', () => {
  it('fails with "failed to list streams (test connection): …" when Kinesis is unreachable', async () => {
    const result = await expectStartupFailure(
      { namespace: 'kx', records: { V: ['kinesis'] }, kinesis: { override_host: 'http://127.0.0.1:1', max_retries: 0 } },
      TEST_AWS_ENV,
      /failed to list streams \(test connection\): .*ECONNREFUSED/,
    );
    expect(result.stderr).toMatch(/failed to list streams \(test connection\): .*ECONNREFUSED/);
    expect(result.listened).toBe(false);
  });

  it('fails with "expected Kinesis to be configured" when the block is missing', async () => {
    const result = await expectStartupFailure({ records: { V: ['kinesis'] } }, TEST_AWS_ENV, /expected Kinesis to be configured/);
    expect(result.exitCode).toBe(1);
  });
});
