import { MetricsRecorder, RecordingMetrics } from '../../../shared/metrics';
import { recordMetadata } from '../../../shared/record';
import { createLogger } from '../../../shared/log';
import type { SinkRecord } from '../sink';
import { KinesisSink } from './kinesis-sink';
import type { EntryOutcome, PutEntry } from './put-records-batcher';

const logger = createLogger({ json: true, level: 'silent' });

function record(vin: string, payload: Uint8Array, txid = 't', recordType = 'V'): SinkRecord {
  return { recordType, vin, txid, payload, metadata: recordMetadata(vin, 1, txid, recordType, ''), decoded: undefined };
}

/** Counter totals drained from the recorder, keyed `name{label values}`. */
function counts(recorder: MetricsRecorder): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, labels, value] of recorder.drain().add) {
    if (!name.startsWith('kinesis_')) continue;
    const key = `${name}{${labels.join(',')}}`;
    out[key] = (out[key] ?? 0) + value;
  }
  return out;
}

function setup(outcome: (entry: PutEntry) => EntryOutcome, maxBufferedRecords = 100) {
  const sent: { stream: string; key: string; data: string }[] = [];
  const recorder = new MetricsRecorder();
  const sink = new KinesisSink(
    async (stream, entries) =>
      entries.map((e) => {
        sent.push({ stream, key: e.partitionKey, data: Buffer.from(e.data).toString() });
        return outcome(e);
      }),
    new Map([
      ['V', 'ns_V'],
      ['alerts', 'custom_alerts'],
    ]),
    logger,
    new RecordingMetrics(recorder),
    { attempts: 1, maxBufferedRecords, maxBufferedBytes: 1 << 30, maxCallsPerStream: 4 },
  );
  return { sink, sent, recorder };
}

const OK: EntryOutcome = { ok: true, shardId: 'shardId-000000000000', sequenceNumber: '1' };
/** Records `confirmed` and resolves with the first confirmation. */
function confirmation(confirmed: boolean[]): { confirm: (delivered: boolean) => void; settled: Promise<boolean> } {
  let confirm!: (delivered: boolean) => void;
  const settled = new Promise<boolean>((resolve) => {
    confirm = (delivered) => {
      confirmed.push(delivered);
      resolve(delivered);
    };
  });
  return { confirm, settled };
}

describe('KinesisSink', () => {
  it('sends a copy of the payload to the record type’s stream, keyed by VIN', async () => {
    const { sink, sent } = setup(() => OK);
    const batch = Buffer.from('hello-world');
    expect(sink.produce(record('VIN1', batch.subarray(0, 5)))).toEqual({ accepted: true });
    expect(sink.produce(record('VIN1', batch.subarray(6), 'a', 'alerts'))).toEqual({ accepted: true });
    batch.fill(0); // the batch buffer is reused once produce returned
    await sink.close();
    expect(sent.sort((a, b) => a.stream.localeCompare(b.stream))).toEqual([
      { stream: 'custom_alerts', key: 'VIN1', data: 'world' },
      { stream: 'ns_V', key: 'VIN1', data: 'hello' },
    ]);
  });

  it('confirms a reliable record once PutRecords accepted it, and counts §11.2 metrics', async () => {
    const { sink, recorder } = setup(() => OK);
    const confirmed: boolean[] = [];
    const { confirm, settled } = confirmation(confirmed);
    sink.produce(record('VIN1', Buffer.from('12345')), confirm);
    sink.produce(record('VIN2', Buffer.from('123')));
    expect(confirmed).toEqual([]); // not before the call answered
    await settled;
    expect(confirmed).toEqual([true]);
    expect(counts(recorder)).toEqual({
      'kinesis_publish_total{V}': 2,
      'kinesis_publish_total_bytes{V}': 8,
      'kinesis_reliable_ack_total{V}': 1,
    });
  });

  it('confirms false exactly once and counts kinesis_err when the record fails for good', async () => {
    const { sink, recorder } = setup(() => ({ ok: false, code: 'InternalFailure', message: 'boom' }));
    const confirmed: boolean[] = [];
    const { confirm, settled } = confirmation(confirmed);
    sink.produce(record('VIN1', Buffer.from('x')), confirm);
    await settled;
    await sink.close();
    expect(confirmed).toEqual([false]);
    expect(counts(recorder)).toEqual({ 'kinesis_err{V}': 1 });
  });

  it('refuses when the buffer is full, when closing, and a record over 1 MiB (D6: no ACK)', async () => {
    const { sink, recorder } = setup(() => OK, 1);
    expect(sink.produce(record('VIN1', Buffer.from('a'))).accepted).toBe(true);
    const full = sink.produce(record('VIN2', Buffer.from('b')));
    expect(full).toEqual({ accepted: false, reason: 'kinesis: buffer full (1 records, 5 bytes queued)' });
    const big = sink.produce(record('VIN3', new Uint8Array(1024 * 1024)));
    expect(big).toEqual({ accepted: false, reason: 'kinesis: record of 1048580 bytes exceeds the 1 MiB PutRecords entry limit' });
    await sink.close();
    expect(sink.produce(record('VIN1', Buffer.from('c')))).toEqual({ accepted: false, reason: 'kinesis: closing' });
    expect(counts(recorder)).toEqual({ 'kinesis_err{V}': 1, 'kinesis_publish_total{V}': 1, 'kinesis_publish_total_bytes{V}': 1 });
  });

  it('refuses a record type without a stream (never configured for kinesis)', () => {
    const { sink } = setup(() => OK);
    expect(sink.produce(record('VIN1', Buffer.from('a'), 't', 'errors'))).toEqual({
      accepted: false,
      reason: 'kinesis: no stream for record type errors',
    });
  });

  it('is unhealthy after a call failed as a whole, healthy again once one is answered', async () => {
    let fail = true;
    const recorder = new MetricsRecorder();
    let answered: Promise<unknown> = Promise.resolve();
    /** Resolves once the last call's answer has been handled (in promise callbacks, before the next macrotask). */
    const callHandled = async () => {
      await answered;
      await new Promise((resolve) => setImmediate(resolve));
    };
    let calls = 0;
    let called!: () => void;
    let nextCall = new Promise<void>((resolve) => (called = resolve));
    const callMade = async () => {
      await nextCall;
      nextCall = new Promise<void>((resolve) => (called = resolve));
    };
    const sink = new KinesisSink(
      (_stream, entries) => {
        calls++;
        const answer = fail ? Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:4567')) : Promise.resolve(entries.map(() => OK));
        answered = answer.catch(() => undefined);
        called();
        return answer;
      },
      new Map([['V', 'ns_V']]),
      logger,
      new RecordingMetrics(recorder),
      { attempts: 1, maxBufferedRecords: 10, maxBufferedBytes: 1000, maxCallsPerStream: 1 },
    );
    expect(sink.healthy()).toBe(true);
    sink.produce(record('VIN1', Buffer.from('a')));
    await callMade();
    await callHandled();
    expect(sink.healthy()).toBe(false);
    fail = false;
    sink.produce(record('VIN1', Buffer.from('b')));
    await callMade();
    await callHandled();
    expect(sink.healthy()).toBe(true);
    expect(calls).toBe(2);
  });

  it('holds the replies of records accepted above the high-water mark until they have left the buffer', async () => {
    const { sink } = setup((e) => (Buffer.from(e.data).toString() === 'd' ? { ok: false, code: 'InternalFailure', message: 'x' } : OK), 4);
    const verdicts = ['a', 'b', 'c', 'd'].map((data, i) => sink.produce(record(`VIN${i}`, Buffer.from(data))));
    // Half of 4 records: the third and fourth are held, none refused.
    expect(verdicts.map((v) => v.accepted && v.held !== undefined)).toEqual([false, false, true, true]);
    const released: boolean[] = [];
    const both = new Promise<void>((resolve) => {
      for (const v of verdicts)
        if (v.accepted)
          v.held?.((delivered) => {
            released.push(delivered);
            if (released.length === 2) resolve();
          });
    });
    await both;
    expect(released.sort()).toEqual([false, true]);
    await sink.close();
  });
});
