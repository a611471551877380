/**
 * What a vehicle sees (DEVIATIONS.md rule 1): ACK / ERROR / silence for each kind of input, byte
 * for byte, against the real gateway process with mTLS WebSocket clients.
 */
import { randomBytes } from 'node:crypto';
import { GatewayProcess, TEST_VINS } from '../harness/gateway-process';
import type { LogLine } from '../harness/gateway-process';
import { alertsPayload, errorsPayload, seededRandom, streamFrame, vehicleDataPayload } from '../../bench/vehicle/records';
import { writeAck, writeError } from '../../shared/envelope/write-frame';
import goldenVectors from '../fixtures/golden-vectors.json';

const VIN = TEST_VINS[0];
const rand = seededRandom(42);
let gateway: GatewayProcess;

beforeAll(async () => {
  // `other` is configured; `unconfigured` is not, so only it gets the sender check (S4).
  gateway = await GatewayProcess.start({
    dispatchThreads: 2,
    config: { records: { V: ['logger'], alerts: ['logger'], errors: ['logger'], connectivity: ['logger'], other: ['logger'] } },
  });
});
afterAll(async () => {
  await gateway?.stop();
});

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const recordLogs = (txid: string) =>
  gateway.logs.filter((l) => l.msg === 'record_payload' && (l.metadata as { txid?: string } | undefined)?.txid === txid);

describe('replies', () => {
  it.each([
    ['V', () => vehicleDataPayload(VIN, 40, rand)],
    ['alerts', () => alertsPayload(VIN, rand)],
    ['errors', () => errorsPayload(VIN)],
  ])('ACKs a %s record with the exact ACK frame and logs it', async (topic, payload) => {
    const vehicle = await gateway.vehicle(VIN);
    const txid = `tx-${topic}-1`;
    vehicle.send(streamFrame({ topic, txid, payload: payload(), vin: VIN }));
    const reply = await vehicle.nextReply();
    expect(hex(reply.bytes)).toBe(hex(writeAck(txid, topic)));
    const logged = await gateway.waitForLog((l) => l.msg === 'record_payload' && (l.metadata as { txid?: string }).txid === txid);
    expect(logged.vin).toBe(VIN);
    expect((logged.metadata as Record<string, string>).txtype).toBe(topic);
    await vehicle.close();
  });

  it('answers the golden ACK bytes for txid 1234 topic V', async () => {
    const vehicle = await gateway.vehicle(VIN);
    vehicle.send(streamFrame({ topic: 'V', txid: '1234', payload: vehicleDataPayload(VIN, 20, rand), vin: VIN }));
    expect(hex((await vehicle.nextReply()).bytes)).toBe(goldenVectors.frames.ack_txid_1234_topic_V.hex);
    await vehicle.close();
  });

  it('overwrites the payload VIN with the certificate VIN (§6.3) and transforms location strings', async () => {
    const vehicle = await gateway.vehicle(VIN);
    const payload = Buffer.from(goldenVectors.protobuf.v_payload_in.hex, 'hex'); // vin BAD123, a location string
    vehicle.send(streamFrame({ topic: 'V', txid: 'spoof-1', payload, vin: 'BAD123', senderId: 'vehicle_device.BAD123' }));
    expect((await vehicle.nextReply()).kind).toBe('ack');
    const logged = await gateway.waitForLog((l) => l.msg === 'record_payload' && (l.metadata as { txid?: string }).txid === 'spoof-1');
    const data = logged.data as Record<string, unknown>;
    expect(data.Vin).toBe(VIN);
    expect(data.Location).toEqual({ latitude: -37.412374, longitude: 122.145867 });
    expect(data.BrakePedalPos).toBe('0.00001');
    await vehicle.close();
  });

  it('answers malformed frames with the golden ERROR frame and keeps the session', async () => {
    const vehicle = await gateway.vehicle(VIN);
    vehicle.send(randomBytes(3)); // too short to hold a root offset
    expect(hex((await vehicle.nextReply()).bytes)).toBe(goldenVectors.frames.error_empty_txid.hex);
    // A readable envelope whose V payload is not protobuf: ERROR carrying the txid.
    vehicle.send(streamFrame({ topic: 'V', txid: '1234', payload: Uint8Array.from([0xff, 0xff, 0xff]), vin: VIN }));
    expect(hex((await vehicle.nextReply()).bytes)).toBe(goldenVectors.frames.error_txid_1234.hex);
    // Invalid UTF-8 in a string field (§6.2) is malformed too.
    const badUtf8 = Uint8Array.from([0x1a, 0x02, 0xc3, 0x28]); // Payload.vin = bytes c3 28
    vehicle.send(streamFrame({ topic: 'V', txid: 'utf8', payload: badUtf8, vin: VIN }));
    expect(hex((await vehicle.nextReply()).bytes)).toBe(hex(writeError('utf8')));
    vehicle.send(streamFrame({ topic: 'V', txid: 'after', payload: vehicleDataPayload(VIN, 20, rand), vin: VIN }));
    expect((await vehicle.nextReply()).txid).toBe('after');
    await vehicle.close();
  });

  it('answers a frame over 1,000,000 bytes with ERROR and an empty txid', async () => {
    const vehicle = await gateway.vehicle(VIN);
    vehicle.send(streamFrame({ topic: 'V', txid: 'big', payload: new Uint8Array(1_000_001), vin: VIN }));
    expect(hex((await vehicle.nextReply()).bytes)).toBe(hex(writeError('')));
    expect(recordLogs('big')).toHaveLength(0);
    await vehicle.close();
  });

  it('checks the sender only on unconfigured topics (§5.1 step 5, S4)', async () => {
    const vehicle = await gateway.vehicle(VIN);
    const payload = Uint8Array.from([1, 2, 3]);
    vehicle.send(streamFrame({ topic: 'unconfigured', txid: 'spoofed', payload, vin: VIN, senderId: 'vehicle_device.SOMEONEELSE' }));
    expect(hex((await vehicle.nextReply()).bytes)).toBe(hex(writeError('spoofed')));
    vehicle.send(streamFrame({ topic: 'unconfigured', txid: 'by-vin', payload, vin: VIN, senderId: VIN }));
    expect(hex((await vehicle.nextReply()).bytes)).toBe(hex(writeAck('by-vin', 'unconfigured')));
    vehicle.send(streamFrame({ topic: 'unconfigured', txid: 'by-sender', payload, vin: VIN }));
    expect(hex((await vehicle.nextReply()).bytes)).toBe(hex(writeAck('by-sender', 'unconfigured')));
    vehicle.send(streamFrame({ topic: 'other', txid: 'configured', payload, vin: VIN, senderId: 'vehicle_device.SOMEONEELSE' }));
    expect(hex((await vehicle.nextReply()).bytes)).toBe(hex(writeAck('configured', 'other')));
    await vehicle.close();
  });

  it('sends exactly one ACK with an empty topic for a frame of unknown message type (D2)', async () => {
    const vehicle = await gateway.vehicle(VIN);
    vehicle.send(writeAck('odd-type', 'V')); // message type 5 travelling the wrong way
    vehicle.send(streamFrame({ topic: 'V', txid: 'next', payload: vehicleDataPayload(VIN, 20, rand), vin: VIN }));
    expect(hex((await vehicle.nextReply()).bytes)).toBe(hex(writeAck('odd-type', '')));
    expect((await vehicle.nextReply()).txid).toBe('next');
    await vehicle.close();
  });

  it('replies in arrival order to many pipelined frames', async () => {
    const vehicles = await Promise.all(TEST_VINS.slice(0, 3).map((vin) => gateway.vehicle(vin)));
    const count = 200; // below max_inflight_frames_per_connection (256): nothing is shed
    vehicles.forEach((vehicle, v) => {
      for (let i = 0; i < count; i++) {
        const txid = `order-${v}-${i}`;
        // Every 7th frame is malformed so ACKs and ERRORs interleave.
        const payload = i % 7 === 0 ? Uint8Array.from([0xff]) : vehicleDataPayload(TEST_VINS[v], 20, rand);
        vehicle.send(streamFrame({ topic: 'V', txid, payload, vin: TEST_VINS[v] }));
      }
    });
    for (const [v, vehicle] of vehicles.entries()) {
      for (let i = 0; i < count; i++) {
        const reply = await vehicle.nextReply();
        expect([reply.txid, reply.kind]).toEqual([`order-${v}-${i}`, i % 7 === 0 ? 'error' : 'ack']);
      }
    }
    // Records reached the logger in arrival order too.
    const logged = gateway.logs
      .filter((l: LogLine) => l.msg === 'record_payload' && String((l.metadata as { txid?: string }).txid).startsWith('order-0-'))
      .map((l) => Number(String((l.metadata as { txid: string }).txid).split('-')[2]));
    expect(logged).toEqual([...logged].sort((a, b) => a - b));
    await Promise.all(vehicles.map((v) => v.close()));
  });

  it('ends the session on a text message: TCP closed without a close frame, nothing after it answered (§2.4)', async () => {
    const vehicle = await gateway.vehicle(VIN);
    vehicle.sendText('hello');
    vehicle.send(streamFrame({ topic: 'V', txid: 'after-text', payload: vehicleDataPayload(VIN, 20, rand), vin: VIN }));
    expect(await vehicle.closed).toBe(1006); // abnormal closure: no close frame was sent
    expect(vehicle.pendingReplies).toBe(0);
    expect(recordLogs('after-text')).toHaveLength(0);
  });

  it('emits CONNECTED and DISCONNECTED connectivity records with the X-TXID connection id', async () => {
    const connectionId = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
    const vehicle = await gateway.vehicle(TEST_VINS[1], {
      'X-TXID': connectionId.toUpperCase(),
      'X-Network-Interface': 'wifi',
      Version: '7',
    });
    const connectivity = (status: string) =>
      gateway.waitForLog(
        (l) =>
          l.msg === 'record_payload' &&
          (l.metadata as { txtype?: string }).txtype === 'connectivity' &&
          (l.data as { Status?: string; ConnectionID?: string }).Status === status &&
          (l.data as { ConnectionID?: string }).ConnectionID === connectionId,
      );
    const connected = await connectivity('CONNECTED');
    expect(connected.vin).toBe(TEST_VINS[1]);
    expect(connected.metadata).toMatchObject({ txid: connectionId, txtype: 'connectivity', device_client_version: '7' });
    expect((connected.data as { NetworkInterface: string }).NetworkInterface).toBe('wifi');
    await vehicle.close();
    await connectivity('DISCONNECTED');
  });
});
