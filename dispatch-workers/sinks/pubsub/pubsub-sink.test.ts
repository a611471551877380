import { MetricsRecorder, RecordingMetrics } from '../../../shared/metrics';
import { recordMetadata } from '../../../shared/record';
import { createLogger } from '../../../shared/log';
import type { SinkRecord } from '../sink';
import { PubsubSink } from './pubsub-sink';
import type { Publisher } from './pubsub-client';

const logger = createLogger({ json: true, level: 'silent' });

function record(vin: string, payload: Uint8Array, txid = 't', recordType = 'V'): SinkRecord {
  return { recordType, vin, txid, payload, metadata: recordMetadata(vin, 1700000000000, txid, recordType, '2024.1'), decoded: undefined };
}

function counts(recorder: MetricsRecorder): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, labels, value] of recorder.drain().add) {
    if (!name.startsWith('pubsub_')) continue;
    const key = `${name}{${labels.join(',')}}`;
    out[key] = (out[key] ?? 0) + value;
  }
  return out;
}

/** A publisher whose results the test settles by hand. */
class FakePublisher implements Publisher {
  readonly published: { topic: string; data: Buffer; attributes: Record<string, string>; settle: (error?: Error) => void }[] = [];
  flushed = 0;
  closed = 0;

  publish(topic: string, data: Buffer, attributes: Record<string, string>): Promise<string> {
    return new Promise((resolve, reject) =>
      this.published.push({ topic, data, attributes, settle: (error) => (error ? reject(error) : resolve(`id-${this.published.length}`)) }),
    );
  }

  async flush() {
    this.flushed++;
  }

  async close() {
    this.closed++;
  }
}

function setup(maxBufferedRecords = 100, maxBufferedBytes = 1 << 20, closeTimeoutMs = 50) {
  const publisher = new FakePublisher();
  const recorder = new MetricsRecorder();
  const sink = new PubsubSink(publisher, logger, new RecordingMetrics(recorder), {
    namespace: 'ns',
    maxBufferedRecords,
    maxBufferedBytes,
    closeTimeoutMs,
  });
  return { sink, publisher, recorder };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('PubsubSink', () => {
  it('publishes a copy of the payload to <namespace>_<type> with the 7 metadata attributes', () => {
    const { sink, publisher } = setup();
    const batch = Buffer.from('payload');
    expect(sink.produce(record('VIN1', batch.subarray(0, 3), 'tx1'))).toEqual({ accepted: true });
    batch.fill(0);
    const [p] = publisher.published;
    expect(p.topic).toBe('ns_V');
    expect(p.data.toString()).toBe('pay');
    expect(p.attributes).toEqual({
      vin: 'VIN1',
      receivedat: '1700000000000',
      timestamp: '0',
      txid: 'tx1',
      txtype: 'V',
      version: '0',
      device_client_version: '2024.1',
    });
  });

  it('confirms a reliable record only when the publish returned an id, and counts §11.2 metrics', async () => {
    const { sink, publisher, recorder } = setup();
    const confirmed: boolean[] = [];
    sink.produce(record('VIN1', Buffer.from('abcd')), (d) => confirmed.push(d));
    sink.produce(record('VIN2', Buffer.from('ab'), 't2', 'alerts'));
    await tick();
    expect(confirmed).toEqual([]);
    publisher.published.forEach((p) => p.settle());
    await tick();
    expect(confirmed).toEqual([true]);
    expect(counts(recorder)).toEqual({
      'pubsub_publish_total{V}': 1,
      'pubsub_publish_total_bytes{V}': 4,
      'pubsub_reliable_ack_total{V}': 1,
      'pubsub_publish_total{alerts}': 1,
      'pubsub_publish_total_bytes{alerts}': 2,
    });
    expect(sink.healthy()).toBe(true);
  });

  it('confirms false once, counts pubsub_err and turns unhealthy when a publish fails', async () => {
    const { sink, publisher, recorder } = setup();
    const confirmed: boolean[] = [];
    sink.produce(record('VIN1', Buffer.from('x')), (d) => confirmed.push(d));
    publisher.published[0].settle(new Error('Total timeout of API google.pubsub.v1.Publisher exceeded 3000 milliseconds'));
    await tick();
    expect(confirmed).toEqual([false]);
    expect(counts(recorder)).toEqual({ 'pubsub_err{V}': 1 });
    expect(sink.healthy()).toBe(false);
  });

  it('refuses above the in-flight bound (records or bytes) and while closing', async () => {
    const { sink, publisher } = setup(2, 10);
    expect(sink.produce(record('A', Buffer.from('1234'))).accepted).toBe(true);
    expect(sink.produce(record('B', Buffer.from('1234567'))).accepted).toBe(false); // 11 bytes > 10
    expect(sink.produce(record('B', Buffer.from('12'))).accepted).toBe(true);
    expect(sink.produce(record('C', Buffer.from('1')))).toEqual({
      accepted: false,
      reason: 'pubsub: buffer full (2 records, 6 bytes in flight)',
    });
    publisher.published[0].settle();
    await tick();
    expect(sink.produce(record('C', Buffer.from('1'))).accepted).toBe(true);
    publisher.published.slice(1).forEach((p) => p.settle());
    await sink.close();
    expect(sink.produce(record('D', Buffer.from('1')))).toEqual({ accepted: false, reason: 'pubsub: closing' });
  });

  it('close flushes, waits for results, fails what is left at its timeout exactly once, then closes the client', async () => {
    const { sink, publisher, recorder } = setup(100, 1 << 20, 30);
    const confirmed: boolean[] = [];
    sink.produce(record('A', Buffer.from('1')), (d) => confirmed.push(d));
    sink.produce(record('B', Buffer.from('2')), (d) => confirmed.push(d));
    publisher.published[0].settle();
    await sink.close();
    expect(publisher.flushed).toBe(1);
    expect(publisher.closed).toBe(1);
    expect(confirmed).toEqual([true, false]);
    publisher.published[1].settle(); // a late result changes nothing
    await tick();
    expect(confirmed).toEqual([true, false]);
    expect(counts(recorder)).toMatchObject({ 'pubsub_err{V}': 1, 'pubsub_publish_total{V}': 1 });
  });

  it('holds the replies of records accepted above the high-water mark until their publish settles', async () => {
    const { sink, publisher } = setup(4);
    const verdicts = ['A', 'B', 'C', 'D'].map((vin) => sink.produce(record(vin, Buffer.from('1'))));
    // Half of 4 records: the third and fourth are held, none refused.
    expect(verdicts.map((v) => v.accepted && v.held !== undefined)).toEqual([false, false, true, true]);
    const released: boolean[] = [];
    for (const v of verdicts) if (v.accepted) v.held?.((delivered) => released.push(delivered));
    publisher.published[2].settle();
    publisher.published[3].settle(new Error('gone'));
    await tick();
    expect(released).toEqual([true, false]);
    publisher.published[0].settle();
    await tick();
    // Back under the mark (2 in flight with it): accepted without holding.
    const next = sink.produce(record('E', Buffer.from('1')));
    expect(next.accepted && next.held === undefined).toBe(true);
  });
});
