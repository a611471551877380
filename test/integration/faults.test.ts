/**
 * Zero acknowledged loss under a fault, the small version of the fault matrix: vehicles stream
 * records with reliable Kafka ACKs while a dispatch lane throws on some batches (the test-only
 * GATEWAY_TEST_FAULT hook). Accounting from the vehicles' side: every txid that got an ACK is read
 * back from Kafka by an independent consumer. The frames of a failed batch get no reply, and their
 * in-flight slots are freed: with more failed frames than the in-flight bound, the sessions would
 * otherwise shed everything after them. Then the broker is SIGKILLed and restarted under load, with
 * the fault matrix's resending vehicles (bench/scenarios/faults-load.ts).
 */
import { GatewayProcess, TEST_VINS } from '../harness/gateway-process';
import { readFileSync } from 'node:fs';
import { killService, startService, stopService } from '../harness/services';
import { FaultLoad } from '../../bench/scenarios/faults-load';
import { KafkaReader } from '../harness/kafka-reader';
import { seededRandom, streamFrame, vehicleDataPayload } from '../../bench/vehicle/records';

const RUN = `f${Date.now().toString(36)}`;
const FAULT = 'LANE-FAULT';
const VEHICLES = 3;
const ROUNDS = 48;
const BOUND = 8;
/** Every 4th round's frames make their batch fail: 12 failed frames per session, more than BOUND. */
const faulty = (round: number) => round % 4 === 3;
const rand = seededRandom(12);
let reader: KafkaReader;
let gateway: GatewayProcess;

beforeAll(async () => {
  const { KAFKA_BROKERS: brokers } = await startService('kafka', { KAFKA_TOPICS: 'kf_V' });
  reader = await KafkaReader.open(brokers, ['kf_V']);
  gateway = await GatewayProcess.start({
    env: { GATEWAY_TEST_FAULT: `lane-throws-on:${FAULT}` },
    config: {
      namespace: 'kf',
      records: { V: ['kafka'] },
      reliable_ack_sources: { V: 'kafka' },
      kafka: { 'bootstrap.servers': brokers, 'queue.buffering.max.ms': 5 },
      gateway: { max_inflight_frames_per_connection: BOUND },
    },
  });
}, 300_000);

afterAll(async () => {
  await gateway?.stop();
  await reader?.close();
  await stopService('kafka');
});

it('ACKs only what Kafka has while a lane fails batches, and the sessions keep going', async () => {
  expect(Array.from({ length: ROUNDS }, (_, r) => r).filter(faulty).length).toBeGreaterThan(BOUND);
  const vehicles = await Promise.all(TEST_VINS.slice(0, VEHICLES).map((vin) => gateway.vehicle(vin)));
  const txid = (v: number, round: number) => `${RUN}-${v}-${round}${faulty(round) ? `-${FAULT}` : ''}`;
  const acked: string[] = [];
  let failedFrames = 0;
  /** Entries of the failed batches the worker reported so far. */
  const reportedFailed = () => gateway.logs.filter((l) => l.msg === 'dispatch_batch_error').reduce((n, l) => n + Number(l.entries), 0);
  for (let round = 0; round < ROUNDS; round++) {
    vehicles.forEach((vehicle, v) =>
      vehicle.send(
        streamFrame({ topic: 'V', txid: txid(v, round), payload: vehicleDataPayload(TEST_VINS[v], 10, rand), vin: TEST_VINS[v] }),
      ),
    );
    if (faulty(round)) {
      // The round's frames fail (in one batch or several); wait until the worker reported all of them.
      failedFrames += VEHICLES;
      await gateway.waitForLog((l) => l.msg === 'dispatch_batch_error' && reportedFailed() >= failedFrames, 60_000);
      continue;
    }
    // Replies leave in arrival order: the next reply is this round's ACK (a failed frame has none).
    for (const [v, vehicle] of vehicles.entries()) {
      const reply = await vehicle.nextReply(60_000);
      expect([reply.kind, reply.txid]).toEqual(['ack', txid(v, round)]);
      acked.push(reply.txid);
    }
  }
  expect(reportedFailed()).toBe(failedFrames); // no other frame was caught in a failed batch
  expect(acked).toHaveLength(VEHICLES * ROUNDS - failedFrames);
  // Zero acknowledged loss: every ACKed txid is in Kafka (a duplicate would be allowed).
  await reader.waitUntil(() => {
    const found = new Set(reader.messages.map((m) => m.headers.txid));
    return acked.every((t) => found.has(t));
  }, 120_000);
  // What failed was never produced: the lane threw before the main thread got the records.
  expect(reader.messages.filter((m) => m.headers.txid?.includes(FAULT))).toEqual([]);
  await Promise.all(vehicles.map((vehicle) => vehicle.close()));
}, 300_000);

it('ACKs only what Kafka has across a broker SIGKILL and restart under load', async () => {
  const ca = readFileSync(gateway.pki.caCert);
  const identities = TEST_VINS.slice(0, VEHICLES).map((vin) => {
    const files = gateway.pki.vehicles[vin];
    return { vin, ca, cert: readFileSync(files.cert), key: readFileSync(files.key) };
  });
  const load = new FaultLoad(identities, gateway.url, 4, `${RUN}-kill`, 3);
  try {
    await load.when(() => load.counts.acked >= 100);
    await killService('kafka'); // returns once the broker is gone; the load goes on
    const ackedAtKill = load.counts.acked;
    await startService('kafka');
    load.markFaultOver();
    // Every vehicle gets an ACK again for a frame it first sent after the restart.
    await load.when(() => load.recoveredAt.every((t) => t !== undefined) && load.counts.acked >= ackedAtKill + 100);
    load.stopNewFrames();
    await load.when(() => load.unanswered === 0);
  } finally {
    await load.stop();
  }
  // Zero acknowledged loss: every ACKed txid is in Kafka (read by the consumer that was there throughout).
  expect(load.acked.size).toBeGreaterThanOrEqual(200);
  await reader.waitUntil(() => {
    const found = new Set(reader.messages.map((m) => m.headers.txid));
    return [...load.acked].every((t) => found.has(t));
  }, 120_000);
}, 300_000);
