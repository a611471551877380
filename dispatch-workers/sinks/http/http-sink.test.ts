import { MetricsRecorder, RecordingMetrics } from '../../../shared/metrics';
import { recordMetadata } from '../../../shared/record';
import { createLogger } from '../../../shared/log';
import type { SinkRecord } from '../sink';
import { HttpSink } from './http-sink';
import type { HttpSinkOptions, WebhookPoster } from './http-sink';
import type { PostResult } from './retry-policy';

const logger = createLogger({ json: true, level: 'silent' });

function record(vin: string, txid: string): SinkRecord {
  return {
    recordType: 'V',
    vin,
    txid,
    payload: new Uint8Array([1, 2, 3]),
    metadata: recordMetadata(vin, 1, txid, 'V', 'v'),
    decoded: undefined,
  };
}

function counts(recorder: MetricsRecorder): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, labels, value] of recorder.drain().add) {
    if (!name.startsWith('http_') || name.endsWith('bytes')) continue;
    out[`${name}{${labels.join(',')}}`] = (out[`${name}{${labels.join(',')}}`] ?? 0) + value;
  }
  return out;
}

/** A receiver the test answers by hand. */
class FakePoster implements WebhookPoster {
  readonly requests: { txids: string[]; answer: (r: PostResult) => void }[] = [];
  closed = 0;
  post(body: Buffer): Promise<PostResult> {
    const txids = (JSON.parse(body.toString()) as { txid: string }[]).map((r) => r.txid);
    return new Promise((resolve) => this.requests.push({ txids, answer: resolve }));
  }
  async close() {
    this.closed++;
  }
}

function setup(options: Partial<HttpSinkOptions> = {}) {
  const poster = new FakePoster();
  const recorder = new MetricsRecorder();
  const sink = new HttpSink(poster, logger, new RecordingMetrics(recorder), {
    body: { format: 'json', gzip: false, hmacSecret: '', signatureHeader: 'x-signature-256' },
    retry: { maxRetries: 2, baseMs: 1, maxMs: 2, retryAfterMaxMs: 10 },
    payloadIsJson: () => false,
    maxRecords: 3,
    maxBytes: 1 << 20,
    maxDelayMs: 5,
    maxConcurrent: 2,
    maxQueuedRecords: 5,
    maxQueuedBytes: 1 << 20,
    closeTimeoutMs: 50,
    ...options,
  });
  return { sink, poster, recorder };
}

/** Resolves once `n` requests were made. */
async function requestsMade(poster: FakePoster, n: number): Promise<void> {
  while (poster.requests.length < n) await new Promise((r) => setTimeout(r, 1));
}

describe('HttpSink', () => {
  it('sends a full batch at once, confirms its records on the 2xx only', async () => {
    const { sink, poster, recorder } = setup();
    const confirmed: string[] = [];
    for (const t of ['a', 'b', 'c']) sink.produce(record(t.toUpperCase(), t), (ok) => confirmed.push(`${t}:${ok}`));
    expect(poster.requests.map((r) => r.txids)).toEqual([['a', 'b', 'c']]);
    expect(confirmed).toEqual([]);
    poster.requests[0].answer({ status: 200, retryAfter: undefined });
    await sink.close();
    expect(confirmed).toEqual(['a:true', 'b:true', 'c:true']);
    expect(counts(recorder)).toEqual({ 'http_publish_total{V}': 3, 'http_reliable_ack_total{V}': 3 });
  });

  it('sends a partial batch after max_delay_ms', async () => {
    const { sink, poster } = setup();
    sink.produce(record('A', 'a'));
    expect(poster.requests).toHaveLength(0);
    await requestsMade(poster, 1);
    expect(poster.requests[0].txids).toEqual(['a']);
    poster.requests[0].answer({ status: 204, retryAfter: undefined });
    await sink.close();
  });

  it('retries a failed request whole, and holds that VIN’s next records until it settled', async () => {
    const { sink, poster } = setup({ maxRecords: 1 });
    const confirmed: string[] = [];
    sink.produce(record('A', 'a1'), (ok) => confirmed.push(`a1:${ok}`));
    sink.produce(record('A', 'a2'), (ok) => confirmed.push(`a2:${ok}`));
    sink.produce(record('B', 'b1'), (ok) => confirmed.push(`b1:${ok}`));
    expect(poster.requests.map((r) => r.txids)).toEqual([['a1'], ['b1']]);
    poster.requests[0].answer({ status: 503, retryAfter: undefined });
    poster.requests[1].answer({ status: 200, retryAfter: undefined });
    await requestsMade(poster, 3);
    expect(poster.requests[2].txids).toEqual(['a1']); // the retry, before a2
    poster.requests[2].answer({ status: 200, retryAfter: undefined });
    await requestsMade(poster, 4);
    expect(poster.requests[3].txids).toEqual(['a2']);
    poster.requests[3].answer({ status: 200, retryAfter: undefined });
    await sink.close();
    expect(confirmed).toEqual(['b1:true', 'a1:true', 'a2:true']);
  });

  it('a 400 fails the records at once (not retried) and counts http_err', async () => {
    const { sink, poster, recorder } = setup({ maxRecords: 1 });
    const confirmed: boolean[] = [];
    sink.produce(record('A', 'a'), (ok) => confirmed.push(ok));
    poster.requests[0].answer({ status: 400, retryAfter: undefined });
    await sink.close();
    expect(poster.requests).toHaveLength(1);
    expect(confirmed).toEqual([false]);
    expect(counts(recorder)).toEqual({ 'http_err{V}': 1 });
  });

  it('gives up after max_retries', async () => {
    const { sink, poster } = setup({ maxRecords: 1 });
    const confirmed: boolean[] = [];
    sink.produce(record('A', 'a'), (ok) => confirmed.push(ok));
    for (let i = 0; i < 3; i++) {
      await requestsMade(poster, i + 1);
      poster.requests[i].answer({ error: 'timeout after 1 ms' });
    }
    await sink.close();
    expect(poster.requests).toHaveLength(3);
    expect(confirmed).toEqual([false]);
  });

  it('refuses beyond max_queued_records and never confirms a refused record', async () => {
    const { sink } = setup({ maxRecords: 100, maxDelayMs: 10_000 });
    const confirmed: string[] = [];
    for (let i = 0; i < 5; i++) expect(sink.produce(record('A', `${i}`), (ok) => confirmed.push(`${i}:${ok}`)).accepted).toBe(true);
    expect(sink.produce(record('A', 'x'), (ok) => confirmed.push(`x:${ok}`))).toEqual({
      accepted: false,
      reason: expect.stringMatching(/^http: queue full \(5 records, \d+ bytes\)$/) as string,
    });
    await sink.close();
    expect(confirmed).toEqual(['0:false', '1:false', '2:false', '3:false', '4:false']);
  });

  it('close fails what the receiver never answered', async () => {
    const { sink, poster } = setup();
    const confirmed: boolean[] = [];
    sink.produce(record('A', 'a'), (ok) => confirmed.push(ok));
    await sink.close();
    expect(poster.requests).toHaveLength(1);
    expect(confirmed).toEqual([false]);
    expect(poster.closed).toBe(1);
  });
});
