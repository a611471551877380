/**
 * What a Kafka consumer reads, against a real broker, compared with what the reference server
 * produces for the golden records of test/fixtures/kafka-golden-records.json (PROTOCOL.md §10.1):
 * key, partition (librdkafka's consistent_random partitioner: CRC32 of the key), the seven headers
 * byte for byte, and the value in both formats. Header values node-rdkafka cannot produce exactly
 * are refused, never altered (gateway/DEVIATIONS.md D12).
 */
import { randomUUID } from 'node:crypto';
import { GatewayProcess } from '../harness/gateway-process';
import { startService, stopService } from '../harness/services';
import { KafkaReader } from '../harness/kafka-reader';
import type { ReadMessage } from '../harness/kafka-reader';
import { writeStream } from '../../shared/envelope/write-frame';
import { decode, payloadTypeFor } from '../../shared/protobuf';
import type { VehicleConnectivity } from '../../shared/protobuf';
import golden from '../fixtures/kafka-golden-records.json';

const TYPES = ['V', 'alerts', 'errors', 'connectivity', 'other'];
/** Namespaces: protobuf values, JSON values (transmit_decoded_records). */
const FORMATS = [
  { namespace: 'gp', json: false },
  { namespace: 'gj', json: true },
] as const;
/** test/services/kafka creates topics with this many partitions (KAFKA_TOPIC_PARTITIONS). */
const PARTITIONS = 3;
/**
 * Beyond ASCII: the header carries its UTF-8 bytes (an HTTP client writes each char below 256 as
 * one byte). It ends in ASCII: uWebSockets.js drops trailing bytes above 0x7f (D14).
 */
const CLIENT_VERSION = '2025.2.1 ü-1';
const asHeader = (text: string) => Buffer.from(text, 'utf8').toString('latin1');
const RUN = `r${Date.now().toString(36)}`;
const hex = (s: string | Uint8Array) => Buffer.from(s).toString('hex');

let brokers: string;
let reader: KafkaReader;

beforeAll(async () => {
  const topics = FORMATS.flatMap(({ namespace }) => TYPES.map((t) => `${namespace}_${t}`));
  ({ KAFKA_BROKERS: brokers } = await startService('kafka', {
    KAFKA_TOPICS: topics.join(','),
    KAFKA_TOPIC_PARTITIONS: String(PARTITIONS),
  }));
  reader = await KafkaReader.open(brokers, topics);
}, 300_000);

afterAll(async () => {
  await reader?.close();
  await stopService('kafka');
});

/** CRC-32 (IEEE, as zlib and librdkafka's rd_crc32): the partitioner's hash of the key. */
function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

function frame(topic: string, txid: Uint8Array | string, payload: Uint8Array) {
  return writeStream({
    senderId: `vehicle_device.${golden.vin}`,
    topic,
    txid,
    payload,
    createdAt: 1700000000,
    messageId: 'm',
    deviceType: 'vehicle_device',
    deviceId: golden.vin,
    deliveredAt: 0n,
  });
}

function expectHeaders(m: ReadMessage, txid: string, txtype: string, sentAt: number) {
  expect(m.key).toBe(golden.vin);
  expect(m.partition).toBe(crc32(Buffer.from(golden.vin)) % PARTITIONS);
  const { receivedat, ...exact } = m.headerHex;
  expect(exact).toEqual({
    vin: hex(golden.vin),
    timestamp: hex('0'),
    txid: hex(txid),
    txtype: hex(txtype),
    version: hex('0'),
    device_client_version: hex(CLIENT_VERSION),
  });
  const receivedAt = Number(Buffer.from(receivedat, 'hex').toString());
  expect(receivedAt).toBeGreaterThanOrEqual(sentAt);
  expect(receivedAt).toBeLessThanOrEqual(Date.now());
}

describe.each(FORMATS)('golden records, namespace $namespace (JSON: $json)', ({ namespace, json }) => {
  let gateway: GatewayProcess;
  beforeAll(async () => {
    gateway = await GatewayProcess.start({
      config: {
        namespace,
        transmit_decoded_records: json,
        records: Object.fromEntries(TYPES.map((t) => [t, ['kafka']])),
        kafka: { 'bootstrap.servers': brokers, 'queue.buffering.max.ms': 5 },
      },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
  });

  it('key, partition, the seven headers byte for byte, and the value the reference produces', async () => {
    const sentAt = Date.now();
    const socketId = randomUUID();
    const vehicle = await gateway.vehicle(golden.vin, { Version: asHeader(CLIENT_VERSION), 'X-TXID': socketId });
    // A txid of valid UTF-8 beyond ASCII travels as its exact bytes.
    const txidOf = (name: string) => `${RUN}-${namespace}-${name}-é✓`;
    for (const r of golden.records) {
      vehicle.send(frame(r.recordType, txidOf(r.name), Buffer.from(r.payload, 'hex')));
      expect(await vehicle.nextReply()).toMatchObject({ kind: 'ack', txid: txidOf(r.name) });
    }
    const byTxid = (name: string) => reader.messages.filter((m) => m.headerHex.txid === hex(txidOf(name)));
    await reader.waitUntil(() => golden.records.every((r) => byTxid(r.name).length === 1));
    for (const r of golden.records) {
      const [m] = byTxid(r.name);
      expect({ name: r.name, topic: m.topic }).toEqual({ name: r.name, topic: `${namespace}_${r.recordType}` });
      expectHeaders(m, txidOf(r.name), r.recordType, sentAt);
      expect(m.valueIsNull).toBe(false);
      if (json) expect({ name: r.name, value: m.value.toString() }).toEqual({ name: r.name, value: r.json });
      else expect({ name: r.name, value: m.value.toString('hex') }).toEqual({ name: r.name, value: r.protobuf });
    }

    // Connectivity (§7): synthesised by the gateway, keyed and partitioned by VIN like the rest.
    await vehicle.close();
    const connectivity = () => reader.messages.filter((m) => m.topic === `${namespace}_connectivity` && m.headers.txid === socketId);
    await reader.waitUntil(() => connectivity().length === 2);
    for (const m of connectivity()) {
      expectHeaders(m, socketId, 'connectivity', sentAt);
      if (json) {
        expect(JSON.parse(m.value.toString())).toMatchObject({ vin: golden.vin, connectionId: socketId });
      } else {
        const decoded = decode(payloadTypeFor('connectivity'), m.value) as { ok: true; message: VehicleConnectivity };
        expect(decoded.message).toMatchObject({ vin: golden.vin, connection_id: socketId });
      }
    }
  });

  it('refuses, never alters, a record whose header bytes node-rdkafka cannot produce (D12)', async () => {
    const vehicle = await gateway.vehicle(golden.vin, { Version: asHeader(CLIENT_VERSION) });
    const prefix = `${RUN}-${namespace}-bad`;
    const invalidUtf8 = Buffer.concat([Buffer.from(`${prefix}1-`), Buffer.from([0x74, 0xff, 0xfe, 0x00, 0x41])]);
    const withNul = `${prefix}2-a\0b`;
    const good = `${RUN}-${namespace}-after-bad`;
    vehicle.send(frame('V', invalidUtf8, Buffer.from(golden.records[0].payload, 'hex')));
    vehicle.send(frame('other', withNul, Buffer.from('x')));
    vehicle.send(frame('V', good, Buffer.from(golden.records[0].payload, 'hex')));
    // The refused records get no reply (the vehicle resends, D6): the next reply is the good one's.
    expect(await vehicle.nextReply()).toMatchObject({ kind: 'ack', txid: good });
    // Same key, same partition: once the later record is readable, an earlier one would be too.
    await reader.waitUntil(() => reader.byHeader('txid', good).length === 1);
    const badPrefix = hex(prefix);
    expect(reader.messages.filter((m) => m.headerHex.txid.startsWith(badPrefix))).toEqual([]);
    await vehicle.close();
  });

  it('refuses the records of a vehicle whose Version header is not UTF-8 (D12)', async () => {
    const vehicle = await gateway.vehicle(golden.vin, { Version: '2025 \u00fc-1' }); // the byte fc: not UTF-8
    const txid = `${RUN}-${namespace}-bad-version`;
    vehicle.send(frame('V', txid, Buffer.from(golden.records[0].payload, 'hex')));
    const otherVehicle = await gateway.vehicle(golden.vin, { Version: asHeader(CLIENT_VERSION) });
    const good = `${RUN}-${namespace}-good-version`;
    otherVehicle.send(frame('V', good, Buffer.from(golden.records[0].payload, 'hex')));
    expect(await otherVehicle.nextReply()).toMatchObject({ kind: 'ack', txid: good });
    await reader.waitUntil(() => reader.byHeader('txid', good).length === 1);
    // Its connectivity records and its V record alike: nothing produced with an altered header.
    expect(reader.byHeader('txid', txid)).toEqual([]);
    expect(reader.messages.filter((m) => m.headerHex.device_client_version === hex('2025 \ufffd-1'))).toEqual([]);
    expect(vehicle.pendingReplies).toBe(0);
    await Promise.all([vehicle.close(), otherVehicle.close()]);
  });
});
