import { MetricsRecorder, RecordingMetrics } from '../../../shared/metrics';
import { recordMetadata } from '../../../shared/record';
import { createLogger, observeErrors } from '../../../shared/log';
import { create, fieldNumber, PayloadType, VehicleConnectivityType } from '../../../shared/protobuf';
import type { DecodedMessage, MessageInit, Payload } from '../../../shared/protobuf';
import type { SinkRecord } from '../sink';
import { MqttSink, PUBLISH_ERROR_LOG_INTERVAL_MS } from './mqtt-sink';
import type { MqttConnection } from './mqtt-sink';
import { checkMqttBlock } from './index';
import { brokerUrl, resolveMqttBlock } from './config-block';
import type { MqttBlock } from './config-block';
import { clientIdFor } from './mqtt-client';

const logger = createLogger({ json: true, level: 'silent' });
const VIN = '5YJ3E1EA7KF100001';

function vRecord(txid: string, fields: string[]): SinkRecord {
  const decoded = create(PayloadType, {
    data: fields.map((f, i) => ({ key: fieldNumber(f)!, value: { value: { case: 'int_value', value: i } } })),
  } as MessageInit<Payload>);
  return record(txid, 'V', decoded);
}

function record(txid: string, recordType: string, decoded: DecodedMessage | undefined): SinkRecord {
  return { recordType, vin: VIN, txid, payload: new Uint8Array(0), metadata: recordMetadata(VIN, 1, txid, recordType, ''), decoded };
}

class FakeConnection implements MqttConnection {
  connected = true;
  readonly published: { topic: string; json: string; done: (error: Error | undefined) => void }[] = [];
  closed = 0;
  abandoned = 0;
  publish(topic: string, json: string, done: (error: Error | undefined) => void): () => void {
    this.published.push({ topic, json, done });
    return () => this.abandoned++;
  }
  async close() {
    this.closed++;
  }
}

function counts(recorder: MetricsRecorder): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, labels, value] of recorder.drain().add) {
    if (!name.startsWith('mqtt_')) continue;
    const key = `${name}{${labels.join(',')}}`;
    out[key] = (out[key] ?? 0) + value;
  }
  return out;
}

function setup(publishTimeoutMs = 60_000, maxBufferedRecords = 100) {
  const connection = new FakeConnection();
  const recorder = new MetricsRecorder();
  const sink = new MqttSink(connection, logger, new RecordingMetrics(recorder), {
    namespace: 'ns',
    topicBase: 'tb',
    publishTimeoutMs,
    disconnectTimeoutMs: 10,
    maxBufferedRecords,
  });
  return { sink, connection, recorder };
}

describe('MqttSink', () => {
  it('a V record fans out to one topic per field; its confirmation waits for every publish', () => {
    const { sink, connection, recorder } = setup();
    const confirmations: boolean[] = [];
    expect(sink.produce(vRecord('t1', ['VehicleName', 'Odometer', 'Gear']), (d) => confirmations.push(d))).toEqual({ accepted: true });
    expect(connection.published.map((p) => p.topic)).toEqual([`tb/${VIN}/v/VehicleName`, `tb/${VIN}/v/Odometer`, `tb/${VIN}/v/Gear`]);
    connection.published[0].done(undefined);
    connection.published[2].done(undefined);
    expect(confirmations).toEqual([]);
    connection.published[1].done(undefined);
    expect(confirmations).toEqual([true]);
    expect(counts(recorder)).toEqual({ 'mqtt_publish_total{V}': 3, 'mqtt_publish_total_bytes{V}': 3, 'mqtt_reliable_ack_total{V}': 1 });
  });

  it('one failed publish fails the record: no ACK, mqtt_err counted once per failed publish', () => {
    const { sink, connection, recorder } = setup();
    const confirmations: boolean[] = [];
    sink.produce(vRecord('t1', ['VehicleName', 'Odometer']), (d) => confirmations.push(d));
    connection.published[0].done(new Error('boom'));
    connection.published[1].done(undefined);
    expect(confirmations).toEqual([false]);
    expect(counts(recorder)).toMatchObject({ 'mqtt_err{V}': 1 });
    expect(counts(recorder)['mqtt_reliable_ack_total{V}']).toBeUndefined();
  });

  it('publishes still open at the shared deadline fail, each counted', async () => {
    const { sink, connection, recorder } = setup(20);
    const settled = new Promise<boolean>((resolve) => sink.produce(vRecord('t1', ['VehicleName', 'Odometer', 'Gear']), resolve));
    connection.published[0].done(undefined);
    expect(await settled).toBe(false);
    expect(counts(recorder)).toMatchObject({ 'mqtt_err{V}': 2 });
    // The client forgets the record's messages: none is resent after a reconnect.
    expect(connection.abandoned).toBe(3);
    connection.published[1].done(undefined); // late: ignored
  });

  it('logs a burst of failed publishes once (the rest counted, then reported as suppressed); a success ends the burst', () => {
    const lines: Readonly<Record<string, unknown>>[] = [];
    observeErrors((kind, _error, fields) => {
      if (kind === 'mqtt_publish_error') lines.push(fields ?? {});
    });
    jest.useFakeTimers({ now: 1_000_000 });
    try {
      const { sink, connection, recorder } = setup();
      sink.produce(vRecord('t1', ['VehicleName', 'Odometer', 'Gear']));
      for (const p of connection.published) p.done(new Error('boom'));
      expect(lines.map((l) => l.txid)).toEqual(['t1']);
      expect(counts(recorder)).toMatchObject({ 'mqtt_err{V}': 3 });
      // Still the same burst after the interval: one more line, with what was left out.
      jest.setSystemTime(1_000_000 + PUBLISH_ERROR_LOG_INTERVAL_MS);
      sink.produce(vRecord('t2', ['Gear']));
      connection.published[3].done(new Error('boom'));
      expect(lines.map((l) => [l.txid, l.suppressed])).toEqual([
        ['t1', undefined],
        ['t2', 2],
      ]);
      // A publish that completes ends the burst: the next failure is logged at once.
      sink.produce(vRecord('t3', ['Gear', 'Odometer']));
      connection.published[4].done(undefined);
      connection.published[5].done(new Error('boom'));
      expect(lines.map((l) => l.txid)).toEqual(['t1', 't2', 't3']);
    } finally {
      jest.useRealTimers();
      observeErrors(undefined);
    }
  });

  it('refuses while disconnected, beyond the bound, and when closing', async () => {
    const { sink, connection } = setup(60_000, 1);
    connection.connected = false;
    expect(sink.produce(vRecord('t1', ['Gear']))).toEqual({ accepted: false, reason: 'mqtt: not connected to the broker' });
    connection.connected = true;
    expect(sink.produce(vRecord('t2', ['Gear'])).accepted).toBe(true);
    expect(sink.produce(vRecord('t3', ['Gear'])).accepted).toBe(false);
    connection.published[0].done(undefined);
    await sink.close();
    expect(connection.closed).toBe(1);
    expect(sink.produce(vRecord('t4', ['Gear']))).toEqual({ accepted: false, reason: 'mqtt: closing' });
  });

  it('connectivity is published but not counted in mqtt_publish_total', () => {
    const { sink, connection, recorder } = setup();
    sink.produce(record('c', 'connectivity', create(VehicleConnectivityType, { connection_id: 'x', status: 1 })));
    expect(connection.published).toHaveLength(1);
    expect(counts(recorder)).toEqual({});
  });
});

describe('mqtt config', () => {
  const block = (over: Partial<MqttBlock>): MqttBlock => resolveMqttBlock({ ...base, ...over });
  const base: MqttBlock = {
    broker: 'localhost:1883',
    client_id: '',
    username: '',
    password: '',
    topic_base: '',
    qos: 1,
    retained: false,
    connect_timeout_ms: 0,
    publish_timeout_ms: 0,
    disconnect_timeout_ms: 0,
    connect_retry_interval_ms: 0,
    keep_alive_seconds: 0,
    max_buffered_records: 10,
  };
  it('0 means the default', () => {
    expect(block({})).toMatchObject({
      connect_timeout_ms: 30000,
      publish_timeout_ms: 2500,
      disconnect_timeout_ms: 250,
      keep_alive_seconds: 30,
    });
  });
  it('adds tcp:// and maps paho schemes to mqtt.js ones', () => {
    expect(brokerUrl('h:1883')).toBe('mqtt://h:1883');
    expect(brokerUrl('ssl://h:8883')).toBe('mqtts://h:8883');
    expect(brokerUrl('ws://h:80/mqtt')).toBe('ws://h:80/mqtt');
  });
  it('qos 0 cannot be a reliable-ack source; qos > 2 and an empty broker are refused', () => {
    expect(() => checkMqttBlock(block({ qos: 0 }), { reliableAckBySink: { mqtt: ['V'] } })).toThrow(
      /config key "mqtt.qos": 0 cannot confirm delivery.*"reliable_ack_sources.V"/,
    );
    expect(() => checkMqttBlock(block({ qos: 0 }), { reliableAckBySink: {} })).not.toThrow();
    expect(() => checkMqttBlock(block({ qos: 3 }), { reliableAckBySink: {} })).toThrow('config key "mqtt.qos": must be 0, 1 or 2, got 3');
    expect(() => checkMqttBlock(block({ broker: '' }), { reliableAckBySink: {} })).toThrow('config key "mqtt.broker" is required');
  });
  it('a configured client id is made unique per connection when there are several', () => {
    expect(clientIdFor('gw', 1, 10, 2)).toBe('gw');
    expect(clientIdFor('gw', 4, 10, 2)).toBe('gw-10-2');
    expect(clientIdFor('', 4, 10, 2)).toBe('');
  });
});
