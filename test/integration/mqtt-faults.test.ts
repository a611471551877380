/**
 * The MQTT sink against a mosquitto that refuses things (test/harness/private-mosquitto.ts):
 * credentials, a topic (ACL), a packet size. The shared anonymous broker of test/services/mqtt
 * covers the rest (mqtt.test.ts).
 */
import { GatewayProcess, TEST_VINS } from '../harness/gateway-process';
import { MqttReader } from '../harness/mqtt-reader';
import { PrivateMosquitto } from '../harness/private-mosquitto';
import { expectStartupFailure } from '../harness/startup-failure';
import { waitForMetric } from '../harness/metric-poll';
import { freePort } from '../../shared/free-port';
import { streamFrame } from '../../bench/vehicle/records';
import { encode, fieldNumber, payloadTypeFor } from '../../shared/protobuf';

const [ALLOWED_VIN, DENIED_VIN] = TEST_VINS;
const BASE = 'faults';
const GATEWAY_USER = { username: 'gateway', password: 'gateway-secret' };
const READER_USER = { username: 'reader', password: 'reader-secret' };
let broker: PrivateMosquitto;

beforeAll(async () => {
  broker = await PrivateMosquitto.start({
    users: { [GATEWAY_USER.username]: GATEWAY_USER.password, [READER_USER.username]: READER_USER.password },
    acl: [
      `user ${GATEWAY_USER.username}`,
      `topic deny ${BASE}/${DENIED_VIN}/#`,
      `topic readwrite ${BASE}/#`,
      `user ${READER_USER.username}`,
      `topic read ${BASE}/#`,
      '',
    ].join('\n'),
    maxPacketSize: 4_096,
  });
}, 60_000);
afterAll(async () => {
  await broker?.stop();
});

const namePayload = (vin: string, name: string, version?: string) =>
  encode(payloadTypeFor('V'), {
    data: [
      { key: fieldNumber('VehicleName'), value: { value: { case: 'string_value', value: name } } },
      ...(version === undefined
        ? []
        : [{ key: fieldNumber('Version'), value: { value: { case: 'string_value' as const, value: version } } }]),
    ],
    vin,
  });

describe('mqtt credentials refused', () => {
  it('stops startup naming the credential keys, with a non-zero exit and no restart', async () => {
    const failure = await expectStartupFailure(
      { records: { V: ['mqtt'] }, mqtt: { broker: broker.broker, qos: 1, username: GATEWAY_USER.username, password: 'wrong' } },
      {},
      /Not authorized; check config keys \\?"mqtt.username\\?" and \\?"mqtt.password\\?"/,
    );
    expect(failure.listened).toBe(false);
    expect(failure.exitCode).toBe(1);
    // The primary gives up on a worker that never served: one worker, one failure.
    expect(failure.stderr.match(/failed to start/g)).toHaveLength(1);
  });
});

describe('mqtt topic denied by the broker ACL', () => {
  it('is invisible in MQTT 3.1.1: the broker PUBACKs and drops it; other vehicles are unaffected', async () => {
    const reader = await MqttReader.open(broker.broker, `${BASE}/#`, READER_USER);
    const gateway = await GatewayProcess.start({
      config: {
        gateway: { workers: 1, dispatch_threads: 1 },
        records: { V: ['mqtt'] },
        reliable_ack_sources: { V: 'mqtt' },
        mqtt: { broker: broker.broker, topic_base: BASE, qos: 1, connect_retry_interval_ms: 200, ...GATEWAY_USER },
      },
    });
    try {
      const denied = await gateway.vehicle(DENIED_VIN);
      const allowed = await gateway.vehicle(ALLOWED_VIN);
      denied.send(streamFrame({ topic: 'V', txid: 'acl-denied', payload: namePayload(DENIED_VIN, 'denied'), vin: DENIED_VIN }));
      expect(await denied.nextReply()).toMatchObject({ kind: 'ack', txid: 'acl-denied' });
      allowed.send(streamFrame({ topic: 'V', txid: 'acl-allowed', payload: namePayload(ALLOWED_VIN, 'allowed'), vin: ALLOWED_VIN }));
      expect(await allowed.nextReply()).toMatchObject({ kind: 'ack', txid: 'acl-allowed' });
      // One lane, one connection: the broker handles its publishes in order, so once the allowed
      // message is read, the denied one (published before it) would have been too.
      await reader.waitUntil(() => reader.messages.some((m) => m.topic === `${BASE}/${ALLOWED_VIN}/v/VehicleName`));
      expect(reader.messages.map((m) => m.topic)).toEqual([`${BASE}/${ALLOWED_VIN}/v/VehicleName`]);
      expect(broker.log).toContain(`Denied PUBLISH from`);
      expect(gateway.logs.filter((l) => l.msg === 'mqtt_publish_error')).toEqual([]);
      await denied.close();
      await allowed.close();
    } finally {
      await gateway.stop();
      await reader.close();
    }
  }, 60_000);
});

describe('mqtt message larger than the broker accepts', () => {
  it('fails that record (no ACK, each message counted, one log line) at its deadline; the connection recovers for the others', async () => {
    const metricsPort = await freePort();
    const gateway = await GatewayProcess.start({
      config: {
        monitoring: { prometheus_metrics_port: metricsPort },
        gateway: { workers: 1, dispatch_threads: 1 },
        records: { V: ['mqtt'] },
        reliable_ack_sources: { V: 'mqtt' },
        mqtt: {
          broker: broker.broker,
          topic_base: BASE,
          qos: 1,
          connect_retry_interval_ms: 200,
          publish_timeout_ms: 1_000,
          ...GATEWAY_USER,
        },
      },
    });
    try {
      const big = await gateway.vehicle(DENIED_VIN);
      const small = await gateway.vehicle(ALLOWED_VIN);
      big.send(
        streamFrame({
          topic: 'V',
          txid: 'too-big',
          payload: namePayload(DENIED_VIN, 'x'.repeat(8_000), 'y'.repeat(8_000)),
          vin: DENIED_VIN,
        }),
      );
      // mosquitto drops the connection for it; the record fails at its deadline, unacknowledged.
      const failed = await gateway.waitForLog((l) => l.msg === 'mqtt_publish_error' && l.txid === 'too-big');
      expect(broker.log).toContain('disconnected due to oversize packet');
      expect(big.pendingReplies).toBe(0);
      // The client does not resend the failed message: the next connection stays up and carries the rest.
      const after = gateway.logs.indexOf(failed);
      await gateway.waitForLog((l) => l.msg === 'mqtt_reconnected' && gateway.logs.indexOf(l) > after);
      small.send(streamFrame({ topic: 'V', txid: 'small', payload: namePayload(ALLOWED_VIN, 'small'), vin: ALLOWED_VIN }));
      expect(await small.nextReply()).toMatchObject({ kind: 'ack', txid: 'small' });
      // Both oversized messages failed and are counted; the burst is logged once.
      await waitForMetric(metricsPort, 'mqtt_err', { record_type: 'V' }, (v) => v === 2);
      expect(gateway.logs.filter((l) => l.msg === 'mqtt_publish_error')).toHaveLength(1);
      await big.close();
      await small.close();
    } finally {
      await gateway.stop();
    }
  }, 60_000);
});
