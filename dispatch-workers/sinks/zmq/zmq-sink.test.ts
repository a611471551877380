import { MetricsRecorder, RecordingMetrics } from '../../../shared/metrics';
import { recordMetadata } from '../../../shared/record';
import { createLogger } from '../../../shared/log';
import { curveKeyPair } from 'zeromq';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SinkRecord } from '../sink';
import { ZmqSink } from './zmq-sink';
import type { ZmqPublisher } from './zmq-sink';
import { checkZmqConfig } from './index';
import { readAllowedKeys, readServerSecret, z85 } from './curve';

const logger = createLogger({ json: true, level: 'silent' });

function record(txid: string, recordType = 'V'): SinkRecord {
  return {
    recordType,
    vin: 'VIN1',
    txid,
    payload: Buffer.from('payload'),
    metadata: recordMetadata('VIN1', 1, txid, recordType, ''),
    decoded: undefined,
  };
}

class FakeSocket implements ZmqPublisher {
  readonly sent: [Buffer, Buffer][] = [];
  queued = 0;
  fail: Error | undefined;
  closed = 0;
  async send(frames: [Buffer, Buffer]) {
    if (this.fail) throw this.fail;
    this.sent.push(frames);
  }
  async close() {
    this.closed++;
  }
}

function counts(recorder: MetricsRecorder): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, labels, value] of recorder.drain().add) if (name.startsWith('zmq_')) out[`${name}{${labels.join(',')}}`] = value;
  return out;
}

const flush = () => new Promise((r) => setImmediate(r));

describe('ZmqSink', () => {
  it('sends [<namespace>_<type>, payload] and counts topic + payload bytes', async () => {
    const socket = new FakeSocket();
    const recorder = new MetricsRecorder();
    const sink = new ZmqSink(socket, 'ns', logger, new RecordingMetrics(recorder));
    expect(sink.produce(record('t1'))).toEqual({ accepted: true });
    await flush();
    expect(socket.sent.map(([t, p]) => [t.toString(), p.toString()])).toEqual([['ns_V', 'payload']]);
    expect(counts(recorder)).toEqual({ 'zmq_publish_total{V}': 1, 'zmq_publish_total_bytes{V}': 11 });
  });

  it('a failed send is counted in zmq_err; closing refuses', async () => {
    const socket = new FakeSocket();
    socket.fail = new Error('ETERM');
    const recorder = new MetricsRecorder();
    const sink = new ZmqSink(socket, 'ns', logger, new RecordingMetrics(recorder));
    sink.produce(record('t1', 'alerts'));
    await flush();
    expect(counts(recorder)).toEqual({ 'zmq_err{alerts}': 1 });
    socket.queued = 10_000;
    expect(sink.produce(record('t2'))).toEqual({ accepted: false, reason: 'zmq: send queue full (10000 messages)' });
    await sink.close();
    expect(sink.produce(record('t2'))).toEqual({ accepted: false, reason: 'zmq: closing' });
    expect(socket.closed).toBe(1);
  });
});

describe('zmq startup checks', () => {
  const block = { addr: 'tcp://127.0.0.1:5284', server_key_json_path: '', allowed_public_keys_json_path: '', verbose: false };
  it('refuses a reliable-ack role, several workers and an empty addr, naming the key', () => {
    expect(() => checkZmqConfig(block, { reliableAckBySink: { zmq: ['V'] }, workerCount: 1 })).toThrow(
      /^config key "reliable_ack_sources.V": zmq cannot confirm delivery/,
    );
    expect(() => checkZmqConfig(block, { reliableAckBySink: {}, workerCount: 2 })).toThrow(
      /^config key "gateway.workers": zmq binds one socket/,
    );
    expect(() => checkZmqConfig({ ...block, addr: '' }, { reliableAckBySink: {}, workerCount: 1 })).toThrow(
      'config key "zmq.addr" is required',
    );
    expect(() => checkZmqConfig(block, { reliableAckBySink: {}, workerCount: 1 })).not.toThrow();
  });
});

describe('CURVE key files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zmq-keys-'));
  it('reads the secret and the allow-list, and refuses malformed files naming the key', () => {
    const pair = curveKeyPair();
    writeFileSync(join(dir, 'server.json'), JSON.stringify({ secret: pair.secretKey, public: pair.publicKey }));
    writeFileSync(join(dir, 'allowed.json'), JSON.stringify([pair.publicKey, '*']));
    writeFileSync(join(dir, 'bad.json'), '{"secret": "short"}');
    expect(readServerSecret(join(dir, 'server.json'))).toBe(pair.secretKey);
    expect(readAllowedKeys(join(dir, 'allowed.json'))).toEqual(new Set([pair.publicKey, '*']));
    expect(() => readServerSecret(join(dir, 'bad.json'))).toThrow(/^config key "zmq.server_key_json_path": .* has no "secret"/);
    expect(() => readAllowedKeys(join(dir, 'missing.json'))).toThrow(/^config key "zmq.allowed_public_keys_json_path": cannot read/);
  });
  it('z85 encodes as ZeroMQ RFC 32', () => {
    expect(z85(Uint8Array.from([0x86, 0x4f, 0xd2, 0x6f, 0xb5, 0x59, 0xf7, 0x5b]))).toBe('HelloWorld');
  });
});
