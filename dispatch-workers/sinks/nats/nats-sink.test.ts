import { MetricsRecorder, RecordingMetrics } from '../../../shared/metrics';
import { recordMetadata } from '../../../shared/record';
import { createLogger } from '../../../shared/log';
import type { SinkRecord } from '../sink';
import { NatsSink } from './nats-sink';
import type { NatsSinkOptions, NatsTransport } from './nats-sink';

const logger = createLogger({ json: true, level: 'silent' });

function record(vin: string, size = 10, txid = 't', recordType = 'V'): SinkRecord {
  const payload = new Uint8Array(size).fill(7);
  return { recordType, vin, txid, payload, metadata: recordMetadata(vin, 1700000000000, txid, recordType, '2024.1'), decoded: undefined };
}

function counts(recorder: MetricsRecorder): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, labels, value] of recorder.drain().add) {
    if (!name.startsWith('nats_')) continue;
    const key = `${name}{${labels.join(',')}}`;
    out[key] = (out[key] ?? 0) + value;
  }
  return out;
}

/** A connection whose PubAcks the test settles by hand. */
class FakeTransport implements NatsTransport {
  connected = true;
  readonly core: { subject: string; data: Uint8Array; headers: Record<string, string> }[] = [];
  readonly acked: { subject: string; settle: (error?: Error) => void }[] = [];
  private listener: ((c: boolean) => void) | undefined;
  closed = 0;

  publish(subject: string, data: Uint8Array, headers: Record<string, string>): void {
    this.core.push({ subject, data, headers });
  }
  publishAcked(subject: string): Promise<void> {
    return new Promise((resolve, reject) => this.acked.push({ subject, settle: (e) => (e ? reject(e) : resolve()) }));
  }
  isConnected(): boolean {
    return this.connected;
  }
  onConnectionChange(listener: (c: boolean) => void): void {
    this.listener = listener;
  }
  setConnected(c: boolean): void {
    this.connected = c;
    this.listener?.(c);
  }
  async close(): Promise<void> {
    this.closed++;
  }
}

function setup(options: Partial<NatsSinkOptions> = {}) {
  const transport = new FakeTransport();
  const recorder = new MetricsRecorder();
  const sink = new NatsSink(transport, logger, new RecordingMetrics(recorder), {
    subjectPrefix: 'fleet',
    jetstream: false,
    reconnectBufferBytes: 25,
    maxPendingRecords: 2,
    maxPendingBytes: 1000,
    closeTimeoutMs: 50,
    ...options,
  });
  return { sink, transport, recorder };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('NatsSink, core NATS', () => {
  it('publishes a copy of the payload to <prefix>.<type>.<VIN> with the metadata as headers', () => {
    const { sink, transport, recorder } = setup();
    const r = record('VIN1', 4, 'tx1');
    expect(sink.produce(r)).toEqual({ accepted: true });
    r.payload.fill(0); // the batch buffer is reused: the sink must have copied
    expect(transport.core).toHaveLength(1);
    expect(transport.core[0].subject).toBe('fleet.V.VIN1');
    expect([...transport.core[0].data]).toEqual([7, 7, 7, 7]);
    expect(transport.core[0].headers).toMatchObject({ vin: 'VIN1', txid: 'tx1', txtype: 'V', device_client_version: '2024.1' });
    expect(counts(recorder)).toEqual({ 'nats_publish_total{V}': 1, 'nats_publish_total_bytes{V}': 4 });
  });

  it('refuses a record whose VIN cannot be a subject token, and counts it', () => {
    const { sink, transport, recorder } = setup();
    expect(sink.produce(record('A.B'))).toEqual({ accepted: false, reason: 'nats: no valid subject: VIN "A.B" contains "."' });
    expect(transport.core).toHaveLength(0);
    expect(counts(recorder)).toEqual({ 'nats_err{V}': 1 });
  });

  it('buffers at most reconnect_buffer_bytes while disconnected, then refuses until it reconnects', () => {
    const { sink, transport } = setup();
    transport.setConnected(false);
    expect(sink.produce(record('V1', 10)).accepted).toBe(true);
    expect(sink.produce(record('V1', 10)).accepted).toBe(true);
    expect(sink.produce(record('V1', 10))).toEqual({ accepted: false, reason: 'nats: disconnected, reconnect buffer full (20 bytes)' });
    expect(sink.healthy()).toBe(false);
    transport.setConnected(true);
    expect(sink.produce(record('V1', 10)).accepted).toBe(true);
    expect(transport.core).toHaveLength(3);
  });
});

describe('NatsSink, JetStream', () => {
  it('confirms a record only on its PubAck, and a PubAck error as not delivered', async () => {
    const { sink, transport, recorder } = setup({ jetstream: true });
    const confirmed: boolean[] = [];
    sink.produce(record('V1', 5, 'a'), (ok) => confirmed.push(ok));
    sink.produce(record('V2', 5, 'b'), (ok) => confirmed.push(ok));
    await tick();
    expect(confirmed).toEqual([]);
    expect(transport.acked.map((a) => a.subject)).toEqual(['fleet.V.V1', 'fleet.V.V2']);
    transport.acked[0].settle();
    transport.acked[1].settle(new Error('maximum messages exceeded'));
    await tick();
    expect(confirmed).toEqual([true, false]);
    expect(counts(recorder)).toEqual({
      'nats_publish_total{V}': 1,
      'nats_publish_total_bytes{V}': 5,
      'nats_reliable_ack_total{V}': 1,
      'nats_err{V}': 1,
    });
  });

  it('refuses beyond max_pending_records awaiting a PubAck, and accepts again once one settled', async () => {
    const { sink, transport } = setup({ jetstream: true });
    expect(sink.produce(record('V1')).accepted).toBe(true);
    expect(sink.produce(record('V1')).accepted).toBe(true);
    expect(sink.produce(record('V1')).accepted).toBe(false);
    transport.acked[0].settle();
    await tick();
    expect(sink.produce(record('V1')).accepted).toBe(true);
  });

  it('close fails what never got a PubAck, then closes the connection', async () => {
    const { sink, transport } = setup({ jetstream: true });
    const confirmed: boolean[] = [];
    sink.produce(record('V1'), (ok) => confirmed.push(ok));
    await sink.close();
    expect(confirmed).toEqual([false]);
    expect(transport.closed).toBe(1);
    expect(sink.produce(record('V1')).accepted).toBe(false);
    transport.acked[0].settle(); // a late PubAck settles nothing twice
    await tick();
    expect(confirmed).toEqual([false]);
  });
});
