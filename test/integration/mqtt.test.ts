/**
 * The MQTT sink against mosquitto (test/services/mqtt): the §10.5 topic layout and Go-JSON payloads
 * as a real subscriber reads them, the retained flag, a reliable ACK only once every publish of a
 * record was acknowledged, refusal (no ACK) while the broker is down, and the startup errors.
 */
import { GatewayProcess, TEST_VINS } from '../harness/gateway-process';
import { startService, stopService } from '../harness/services';
import { MqttReader } from '../harness/mqtt-reader';
import { expectStartupFailure } from '../harness/startup-failure';
import { freePort } from '../../shared/free-port';
import { alertsPayload, errorsPayload, seededRandom, streamFrame } from '../../bench/vehicle/records';
import { encode, fieldNumber, payloadTypeFor } from '../../shared/protobuf';

const VIN = TEST_VINS[0];
const rand = seededRandom(41);
const RUN = Date.now().toString(36);
let broker: string;
let reader: MqttReader;

beforeAll(async () => {
  broker = (await startService('mqtt')).MQTT_BROKER;
  reader = await MqttReader.open(broker, `mq${RUN}/#`);
}, 120_000);
afterAll(async () => {
  await reader?.close();
  await stopService('mqtt');
});

function mqttGateway(topicBase: string, mqtt: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  return GatewayProcess.start({
    dispatchThreads: 2,
    config: {
      records: { V: ['mqtt'], alerts: ['mqtt'], errors: ['mqtt'], connectivity: ['mqtt'] },
      reliable_ack_sources: { V: 'mqtt' },
      mqtt: { broker, topic_base: topicBase, qos: 1, connect_retry_interval_ms: 200, ...mqtt },
      ...extra,
    },
  });
}

const vPayload = () =>
  encode(payloadTypeFor('V'), {
    data: [
      { key: fieldNumber('VehicleName'), value: { value: { case: 'string_value', value: 'Car <1>' } } },
      { key: fieldNumber('Odometer'), value: { value: { case: 'float_value', value: Math.fround(75.5) } } },
      { key: fieldNumber('Location'), value: { value: { case: 'location_value', value: { latitude: 37.5, longitude: -122.25 } } } },
    ],
    vin: VIN,
  });

describe('mqtt sink', () => {
  const base = `mq${RUN}/a`;
  let gateway: GatewayProcess;
  beforeAll(async () => {
    gateway = await mqttGateway(base, { retained: true });
  });
  afterAll(async () => {
    await gateway?.stop();
  });

  it('publishes V fields, alerts, errors and connectivity on the §10.5 topics with Go-JSON payloads', async () => {
    const vehicle = await gateway.vehicle(VIN);
    vehicle.send(streamFrame({ topic: 'V', txid: 'mq-V', payload: vPayload(), vin: VIN }));
    expect(await vehicle.nextReply()).toMatchObject({ kind: 'ack', txid: 'mq-V' });
    // The reliable ACK came after every PUBACK: all three are at the broker, so the subscriber gets them.
    const of = (topic: string) => reader.messages.filter((m) => m.topic === topic);
    await reader.waitUntil(() => of(`${base}/${VIN}/v/Location`).length === 1);
    expect(of(`${base}/${VIN}/v/VehicleName`).map((m) => m.text)).toEqual(['"Car \\u003c1\\u003e"']);
    expect(of(`${base}/${VIN}/v/Odometer`).map((m) => m.text)).toEqual(['75.5']);
    expect(of(`${base}/${VIN}/v/Location`).map((m) => m.text)).toEqual(['{"latitude":37.5,"longitude":-122.25}']);

    vehicle.send(streamFrame({ topic: 'alerts', txid: 'mq-a', payload: alertsPayload(VIN, rand), vin: VIN }));
    vehicle.send(streamFrame({ topic: 'errors', txid: 'mq-e', payload: errorsPayload(VIN), vin: VIN }));
    expect(await vehicle.nextReply()).toMatchObject({ kind: 'ack', txid: 'mq-a' });
    expect(await vehicle.nextReply()).toMatchObject({ kind: 'ack', txid: 'mq-e' });
    await reader.waitUntil(() => of(`${base}/${VIN}/errors/telemetry_stream_error`).length === 1);
    await reader.waitUntil(() => of(`${base}/${VIN}/alerts/BMS_a066_SW_Over_Current/history`).length === 1);
    const current = JSON.parse(of(`${base}/${VIN}/alerts/ChargePort_FaultDetected/current`)[0].text) as Record<string, unknown>;
    expect(Object.keys(current)).toEqual(['Audiences', 'StartedAt']);
    const error = JSON.parse(of(`${base}/${VIN}/errors/telemetry_stream_error`)[0].text) as Record<string, unknown>;
    expect(error).toMatchObject({ Body: 'simulated error', Tags: { severity: 'low', source: 'simulator' } });

    await vehicle.close();
    await reader.waitUntil(() => of(`${base}/${VIN}/connectivity`).length === 2);
    expect(of(`${base}/${VIN}/connectivity`).map((m) => (JSON.parse(m.text) as { Status: string }).Status)).toEqual([
      'CONNECTED',
      'DISCONNECTED',
    ]);
  });

  it('publishes with the retained flag: a late subscriber gets the last value', async () => {
    const late = await MqttReader.open(broker, `${base}/${VIN}/v/Odometer`);
    try {
      await late.waitUntil(() => late.messages.length === 1);
      expect(late.messages[0]).toMatchObject({ text: '75.5', retain: true });
    } finally {
      await late.close();
    }
  });
});

describe('mqtt sink with the broker down', () => {
  it('refuses records (no ACK) while mosquitto is stopped, and ACKs again once it is back', async () => {
    const base = `mq${RUN}/d`;
    const gateway = await mqttGateway(base, {}, { gateway: { workers: 1, dispatch_threads: 1 } });
    try {
      const vehicle = await gateway.vehicle(VIN);
      await stopService('mqtt');
      await gateway.waitForLog((l) => l.msg === 'mqtt_connection_lost');
      vehicle.send(streamFrame({ topic: 'V', txid: 'mq-down', payload: vPayload(), vin: VIN }));
      await gateway.waitForLog((l) => l.msg === 'record_refused' && l.txid === 'mq-down' && l.dispatcher === 'mqtt');
      expect(vehicle.pendingReplies).toBe(0);
      await startService('mqtt');
      await gateway.waitForLog((l) => l.msg === 'mqtt_reconnected', 30_000);
      // The vehicle resends what was not ACKed: now it is.
      vehicle.send(streamFrame({ topic: 'V', txid: 'mq-down', payload: vPayload(), vin: VIN }));
      expect(await vehicle.nextReply()).toMatchObject({ kind: 'ack', txid: 'mq-down' });
      await vehicle.close();
    } finally {
      await gateway.stop();
    }
  }, 60_000);
});

describe('mqtt startup errors', () => {
  it('an unreachable broker stops startup with upstream text and a non-zero exit', async () => {
    const port = await freePort();
    const failure = await expectStartupFailure(
      { records: { V: ['mqtt'] }, mqtt: { broker: `127.0.0.1:${port}` } },
      {},
      /connection attempt timed out after 5s/,
    );
    expect(failure.stderr).toMatch(/connection attempt timed out after 5s/);
    expect(failure.listened).toBe(false);
    expect(failure.exitCode).not.toBe(0);
  });

  it('qos 0 as a reliable-ack source is refused naming the key', async () => {
    const failure = await expectStartupFailure(
      { records: { V: ['mqtt'] }, reliable_ack_sources: { V: 'mqtt' }, mqtt: { broker, qos: 0 } },
      {},
      /config key \\?"mqtt.qos\\?": 0 cannot confirm delivery/,
    );
    expect(failure.stderr).toMatch(/config key \\?"mqtt.qos\\?": 0 cannot confirm delivery/);
    expect(failure.listened).toBe(false);
  });
});
