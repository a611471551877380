/**
 * The Kafka sink against a real Apache Kafka broker (test/services/kafka): topics, keys, headers
 * and payloads as PROTOCOL.md §10.1 says, per-VIN order, reliable ACKs (§9) while the broker is
 * down, slow or refusing, and a SIGTERM drain that loses no ACKed record (DEVIATIONS.md D6).
 */
import { randomUUID } from 'node:crypto';
import { GatewayProcess, TEST_VINS } from '../harness/gateway-process';
import { startService, stopService } from '../harness/services';
import { KafkaReader } from '../harness/kafka-reader';
import { sendThroughDrain } from '../harness/drain-run';
import { alertsPayload, errorsPayload, seededRandom, streamFrame, vehicleDataPayload } from '../../bench/vehicle/records';
import { decode, payloadTypeFor } from '../../shared/protobuf';
import type { Payload, VehicleConnectivity } from '../../shared/protobuf';
import goldenVectors from '../fixtures/golden-vectors.json';

const TYPES = ['V', 'alerts', 'errors', 'connectivity'];
const NAMESPACES = ['kt', 'kj', 'kr', 'kq'];
const rand = seededRandom(5);
/** The broker may keep topics from earlier runs: every txid of this run carries its own prefix. */
const RUN = `r${Date.now().toString(36)}`;
let brokers: string;
let reader: KafkaReader;

beforeAll(async () => {
  const topics = NAMESPACES.flatMap((ns) => TYPES.map((t) => `${ns}_${t}`));
  ({ KAFKA_BROKERS: brokers } = await startService('kafka', { KAFKA_TOPICS: topics.join(',') }));
  reader = await KafkaReader.open(brokers, topics);
}, 300_000);

afterAll(async () => {
  await reader?.close();
  await stopService('kafka');
});

function kafkaGateway(namespace: string, extra: Record<string, unknown> = {}, kafka: Record<string, unknown> = {}, workers = 1) {
  return GatewayProcess.start({
    workers,
    config: {
      namespace,
      records: { V: ['kafka'], alerts: ['kafka'], errors: ['kafka'], connectivity: ['kafka'] },
      kafka: { 'bootstrap.servers': brokers, 'queue.buffering.max.ms': 5, ...kafka },
      ...extra,
    },
  });
}

describe('kafka sink', () => {
  let gateway: GatewayProcess;
  beforeAll(async () => {
    gateway = await kafkaGateway('kt');
  });
  afterAll(async () => {
    await gateway?.stop();
  });

  it('sends every record type to <namespace>_<type>, keyed by VIN, with the 7 metadata headers', async () => {
    const vin = TEST_VINS[0];
    const connectionId = randomUUID();
    const vehicle = await gateway.vehicle(vin, { Version: '2024.1', 'X-TXID': connectionId });
    const payloads: Record<string, Uint8Array> = {
      V: Buffer.from(goldenVectors.protobuf.v_payload_in.hex, 'hex'),
      alerts: alertsPayload(vin, rand),
      errors: errorsPayload(vin),
    };
    for (const [topic, payload] of Object.entries(payloads)) {
      vehicle.send(streamFrame({ topic, txid: `${RUN}-kt-${topic}`, payload, vin }));
      expect(await vehicle.nextReply()).toMatchObject({ kind: 'ack', txid: `${RUN}-kt-${topic}` });
    }
    await reader.waitUntil(() => Object.keys(payloads).every((t) => reader.byHeader('txid', `${RUN}-kt-${t}`).length === 1));
    for (const topic of Object.keys(payloads)) {
      const [m] = reader.byHeader('txid', `${RUN}-kt-${topic}`);
      expect(m.topic).toBe(`kt_${topic}`);
      expect(m.key).toBe(vin);
      expect(Object.keys(m.headers).sort()).toEqual([
        'device_client_version',
        'receivedat',
        'timestamp',
        'txid',
        'txtype',
        'version',
        'vin',
      ]);
      expect(m.headers).toMatchObject({ vin, txtype: topic, timestamp: '0', version: '0', device_client_version: '2024.1' });
      expect(Number(m.headers.receivedat)).toBeGreaterThan(1_600_000_000_000);
      const decoded = decode(payloadTypeFor(topic as 'V')!, m.value);
      expect(decoded.ok && (decoded.message as { vin: string }).vin).toBe(vin);
    }
    // The V payload is the transformed one (§6.3): VIN overwritten, location parsed, 5-decimal fix.
    const [v] = reader.byHeader('txid', `${RUN}-kt-V`);
    const expected = decode(payloadTypeFor('V'), Buffer.from(goldenVectors.protobuf['v_payload_out_for_device-1'].hex, 'hex')) as {
      ok: true;
      message: Payload;
    };
    expect(decode(payloadTypeFor('V'), v.value)).toEqual({ ok: true, message: { ...expected.message, vin } });
    // Connectivity records (§7) go to the connectivity topic with the socket id as txid.
    await vehicle.close();
    const connectivity = () => reader.messages.filter((m) => m.topic === 'kt_connectivity' && m.headers.txid === connectionId);
    await reader.waitUntil(() => connectivity().length >= 2);
    expect(connectivity().map((m) => m.key)).toEqual([vin, vin]);
    const statuses = connectivity().map(
      (m) => (decode(payloadTypeFor('connectivity'), m.value) as { ok: true; message: VehicleConnectivity }).message.status,
    );
    expect(statuses.slice(0, 2)).toEqual([1, 2]);
  });

  it('keeps a VIN’s records in order within its partition', async () => {
    const vin = TEST_VINS[1];
    const vehicle = await gateway.vehicle(vin);
    const count = 150;
    for (let i = 0; i < count; i++)
      vehicle.send(streamFrame({ topic: 'V', txid: `${RUN}-order-${i}`, payload: vehicleDataPayload(vin, 20, rand), vin }));
    for (let i = 0; i < count; i++) expect((await vehicle.nextReply()).txid).toBe(`${RUN}-order-${i}`);
    const ours = () => reader.messages.filter((m) => m.topic === 'kt_V' && m.headers.txid?.startsWith(`${RUN}-order-`));
    await reader.waitUntil(() => ours().length === count);
    expect(new Set(ours().map((m) => m.partition)).size).toBe(1);
    expect(ours().map((m) => m.headers.txid)).toEqual(Array.from({ length: count }, (_, i) => `${RUN}-order-${i}`));
    await vehicle.close();
  });
});

it('sends JSON payloads with transmit_decoded_records (§6.5)', async () => {
  const gateway = await kafkaGateway('kj', { transmit_decoded_records: true });
  try {
    const vin = TEST_VINS[2];
    const vehicle = await gateway.vehicle(vin);
    vehicle.send(
      streamFrame({ topic: 'V', txid: `${RUN}-kj-1`, payload: Buffer.from(goldenVectors.protobuf.v_payload_in.hex, 'hex'), vin }),
    );
    expect((await vehicle.nextReply()).kind).toBe('ack');
    await reader.waitUntil(() => reader.byHeader('txid', `${RUN}-kj-1`).length === 1);
    const [m] = reader.byHeader('txid', `${RUN}-kj-1`);
    expect(m.topic).toBe('kj_V');
    expect(m.value.toString()).toBe(goldenVectors.protobuf.v_payload_out_json.replace('"vin":"device-1"', `"vin":"${vin}"`));
    await vehicle.close();
  } finally {
    await gateway.stop();
  }
});

describe('reliable acks (§9) with the broker down, slow or refusing', () => {
  const vin = TEST_VINS[3];
  // Each test stops the broker at some point: a failed one must not leave it down for the next.
  beforeEach(async () => {
    await startService('kafka');
  }, 120_000);
  const frame = (txid: string) => streamFrame({ topic: 'V', txid, payload: vehicleDataPayload(vin, 20, rand), vin });

  it('sends no ACK while the broker is stopped, and the ACK once it is back and has the record', async () => {
    const gateway = await kafkaGateway('kr', { reliable_ack_sources: { V: 'kafka' } });
    try {
      const vehicle = await gateway.vehicle(vin);
      vehicle.send(frame(`${RUN}-kr-before`));
      expect((await vehicle.nextReply()).txid).toBe(`${RUN}-kr-before`);
      await stopService('kafka', '--keep-data');
      vehicle.send(frame(`${RUN}-kr-during`));
      // Give the gateway time to have answered if it wrongly would (it cannot deliver now).
      await new Promise((r) => setTimeout(r, 3000));
      expect(vehicle.pendingReplies).toBe(0);
      await startService('kafka');
      expect(await vehicle.nextReply(120_000)).toMatchObject({ kind: 'ack', txid: `${RUN}-kr-during` });
      await reader.waitUntil(() => reader.byHeader('txid', `${RUN}-kr-during`).length >= 1, 120_000);
      await vehicle.close();
    } finally {
      await gateway.stop();
    }
  }, 300_000);

  it('never ACKs a record whose delivery timed out, and logs kafka_err', async () => {
    const gateway = await kafkaGateway('kr', { reliable_ack_sources: { V: 'kafka' } }, { 'message.timeout.ms': 3000 });
    try {
      const vehicle = await gateway.vehicle(vin);
      // One delivered record first, so the producer knows the topic's partitions before the broker goes.
      vehicle.send(frame(`${RUN}-kr-warm`));
      expect((await vehicle.nextReply(60_000)).txid).toBe(`${RUN}-kr-warm`);
      await stopService('kafka', '--keep-data');
      vehicle.send(frame(`${RUN}-kr-timeout`));
      await gateway.waitForLog((l) => l.msg === 'kafka_err' && String(l.error).startsWith('topic_partition_error'), 60_000);
      await startService('kafka');
      vehicle.send(frame(`${RUN}-kr-after-timeout`));
      // Replies are written in order of decision: the timed-out record never got one.
      expect((await vehicle.nextReply(120_000)).txid).toBe(`${RUN}-kr-after-timeout`);
      await vehicle.close();
    } finally {
      await gateway.stop();
    }
  }, 300_000);

  it('refuses records when librdkafka’s local queue is full: no ACK for them, ACKs for the rest', async () => {
    const gateway = await kafkaGateway('kq', { reliable_ack_sources: { V: 'kafka' } }, { 'queue.buffering.max.messages': 5 });
    try {
      const vehicle = await gateway.vehicle(vin);
      vehicle.send(frame(`${RUN}-kq-warm`));
      expect((await vehicle.nextReply(60_000)).txid).toBe(`${RUN}-kq-warm`);
      await stopService('kafka', '--keep-data'); // nothing drains the local queue now
      const sent = Array.from({ length: 20 }, (_, i) => `${RUN}-kq-${i}`);
      for (const txid of sent) vehicle.send(frame(txid));
      await gateway.waitForLog((l) => l.msg === 'kafka_err' && /queue full/i.test(String(l.error)));
      await startService('kafka');
      // Once the broker is back, librdkafka still holds the accepted records until it reconnects, so
      // a marker sent too early may itself be refused: send markers until one is ACKed. Replies are
      // in delivery order per VIN, so every earlier ACK has arrived by then.
      const acked: string[] = [];
      const isMarker = (txid: string) => txid.startsWith(`${RUN}-kq-marker-`);
      for (let attempt = 0; ; attempt++) {
        expect(attempt).toBeLessThan(60);
        vehicle.send(frame(`${RUN}-kq-marker-${attempt}`));
        let reply = await vehicle.nextReply(5_000).catch(() => undefined);
        while (reply !== undefined && !isMarker(reply.txid)) {
          acked.push(reply.txid);
          reply = await vehicle.nextReply(5_000).catch(() => undefined);
        }
        if (reply !== undefined) break; // a marker was ACKed
      }
      expect(acked.length).toBeGreaterThan(0);
      expect(acked.length).toBeLessThan(sent.length);
      // What Kafka has is exactly what was ACKed: refused records were never enqueued.
      await reader.waitUntil(() => acked.every((txid) => reader.byHeader('txid', txid).length === 1), 120_000);
      const inKafka = reader.messages.filter((m) => m.topic === 'kq_V' && sent.includes(m.headers.txid)).map((m) => m.headers.txid);
      expect(new Set(inKafka)).toEqual(new Set(acked));
      await vehicle.close();
    } finally {
      await gateway.stop();
    }
  }, 300_000);

  it('drains on SIGTERM: every ACKed record is in Kafka', async () => {
    const gateway = await kafkaGateway('kr', { reliable_ack_sources: { V: 'kafka' } }, {}, 2);
    const vehicles = await Promise.all(TEST_VINS.map((v) => gateway.vehicle(v)));
    const run = await sendThroughDrain(gateway, vehicles, (v, round) =>
      streamFrame({
        topic: 'V',
        txid: `${RUN}-drain-${v}-${round}`,
        payload: vehicleDataPayload(TEST_VINS[v], 20, rand),
        vin: TEST_VINS[v],
      }),
    );
    expect(run.exitCode).toBe(0);
    const acked = run.acked.flat();
    expect(acked.length).toBeGreaterThan(0);
    await reader.waitUntil(() => acked.every((txid) => reader.byHeader('txid', txid).length >= 1), 60_000);
  }, 300_000);
});
