/**
 * Kafka unreachable when the gateway starts (upstream's librdkafka connects lazily): the gateway
 * listens anyway, /readyz names kafka, a periodic line says what it waits for, reliable records
 * get no ACK until the broker, started late, has them; then they are ACKed and /readyz is ready.
 * The late broker is a private instance (its own ports and run dir), so other Kafka tests keep theirs.
 */
import { join } from 'node:path';
import { GatewayProcess, TEST_VINS } from '../harness/gateway-process';
import { startService, stopServiceWith } from '../harness/services';
import { expectStartupFailure } from '../harness/startup-failure';
import { KafkaReader } from '../harness/kafka-reader';
import { httpGet, untilReadyz } from './metrics-scrape';
import { freePort } from '../../shared/free-port';
import { packageRoot } from '../../shared/package-root';
import { seededRandom, streamFrame, vehicleDataPayload } from '../../bench/vehicle/records';

const rand = seededRandom(18);
const RUN = `late${Date.now().toString(36)}`;
const vin = TEST_VINS[2];

describe('kafka unreachable at startup', () => {
  let gateway: GatewayProcess | undefined;
  let reader: KafkaReader | undefined;
  let kafkaEnv: Record<string, string> = {};
  afterAll(async () => {
    await gateway?.stop();
    await reader?.close();
    if (kafkaEnv.KAFKA_RUN_DIR !== undefined) await stopServiceWith('kafka', kafkaEnv);
  }, 120_000);

  it('listens without the broker, is unready naming kafka, holds reliable ACKs, and delivers and ACKs once the broker is up', async () => {
    kafkaEnv = {
      KAFKA_PORT: String(await freePort()),
      KAFKA_CONTROLLER_PORT: String(await freePort()),
      KAFKA_RUN_DIR: join(packageRoot(), '.cache', 'kafka-late-run'),
      KAFKA_TOPICS: 'kl_V',
    };
    const statusPort = await freePort();
    gateway = await GatewayProcess.start({
      config: {
        namespace: 'kl',
        status_port: statusPort,
        records: { V: ['kafka'] },
        reliable_ack_sources: { V: 'kafka' },
        kafka: { 'bootstrap.servers': `127.0.0.1:${kafkaEnv.KAFKA_PORT}`, 'queue.buffering.max.ms': 5 },
      },
    });
    const readyz = await httpGet(statusPort, '/readyz');
    expect(readyz.status).toBe(503);
    expect(readyz.body).toContain('sink kafka is not connected in worker 0');

    const vehicle = await gateway.vehicle(vin);
    const txids = [0, 1, 2, 3, 4].map((i) => `${RUN}-${i}`);
    for (const txid of txids) vehicle.send(streamFrame({ topic: 'V', txid, payload: vehicleDataPayload(vin, 10, rand), vin }));
    // The periodic line names what it waits for and counts the held records.
    const waiting = await gateway.waitForLog((l) => l.msg === 'kafka_not_connected' && Number(l.held_records) === txids.length, 30_000);
    expect(String(waiting.error)).toContain(`bootstrap.servers=127.0.0.1:${kafkaEnv.KAFKA_PORT}`);
    expect(vehicle.pendingReplies).toBe(0); // nothing delivered, nothing ACKed

    const { KAFKA_BROKERS } = await startService('kafka', kafkaEnv);
    reader = await KafkaReader.open(KAFKA_BROKERS, ['kl_V']);
    const acked: string[] = [];
    for (let i = 0; i < txids.length; i++) {
      const reply = await vehicle.nextReply(120_000);
      expect(reply.kind).toBe('ack');
      acked.push(reply.txid);
    }
    expect(acked).toEqual(txids);
    await reader.waitUntil(() => txids.every((txid) => reader!.byHeader('txid', txid).length === 1), 60_000);
    const registered = await gateway.waitForLog((l) => l.msg === 'kafka_registered');
    expect(registered.held_records).toBe(txids.length);
    await untilReadyz(statusPort, 200); // the sink's health reaches /readyz about once a second
    await vehicle.close();
  }, 300_000);
});

it('a producer librdkafka refuses to create still fails the start (upstream: creation errors abort startup)', async () => {
  const port = await freePort(); // nothing listens there: only the properties can fail
  const result = await expectStartupFailure(
    {
      records: { V: ['kafka'] },
      kafka: { 'bootstrap.servers': `127.0.0.1:${port}`, 'enable.idempotence': true, acks: 1 },
    },
    {},
    /kafka: cannot create the producer: `acks` must be set to `all` when `enable.idempotence` is true/,
  );
  expect(result.listened).toBe(false);
  expect(result.exitCode).toBe(1);
});

it('without reliable acks, held records are ACKed up to the bound, then refused (record_refused, no reply)', async () => {
  const port = await freePort(); // no broker: every record is held
  const gateway = await GatewayProcess.start({
    config: {
      namespace: 'kl',
      records: { V: ['kafka'] },
      kafka: { 'bootstrap.servers': `127.0.0.1:${port}`, 'queue.buffering.max.messages': 2 },
    },
  });
  try {
    const vehicle = await gateway.vehicle(vin);
    const txids = ['a', 'b', 'c', 'd'].map((t) => `${RUN}-bound-${t}`);
    for (const txid of txids) vehicle.send(streamFrame({ topic: 'V', txid, payload: vehicleDataPayload(vin, 10, rand), vin }));
    expect((await vehicle.nextReply()).txid).toBe(txids[0]);
    expect((await vehicle.nextReply()).txid).toBe(txids[1]);
    const refused = await gateway.waitForLog((l) => l.msg === 'record_refused' && l.txid === txids[3]);
    expect(String(refused.error)).toContain(`not connected to bootstrap.servers=127.0.0.1:${port} yet and 2 records already held`);
    expect(gateway.logs.some((l) => l.msg === 'record_refused' && l.txid === txids[2])).toBe(true);
    expect(vehicle.pendingReplies).toBe(0); // the refused ones get no reply: the vehicle resends them
    await vehicle.close();
  } finally {
    await gateway.stop();
  }
});
