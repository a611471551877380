import { PutRecordsBatcher } from './put-records-batcher';
import type { BatcherOptions, EntryOutcome, PutEntry } from './put-records-batcher';

/** A fake Kinesis: appends accepted entries to each stream's log in call order, fails what `failWhen` picks. */
class FakeKinesis {
  readonly log: { stream: string; vin: string; id: string }[] = [];
  readonly calls: { stream: string; ids: string[] }[] = [];
  failWhen: (id: string, attempt: number) => string | undefined = () => undefined;
  throwWhen: (callIndex: number) => Error | undefined = () => undefined;
  /** When set, calls wait for `release()`. */
  hold = false;
  private held: (() => void)[] = [];
  private attempts = new Map<string, number>();
  private results: Promise<unknown>[] = [];
  private callWaiters: { count: number; resolve: () => void }[] = [];

  readonly put = (stream: string, entries: readonly PutEntry[]): Promise<EntryOutcome[]> => {
    const result = this.answer(stream, entries);
    this.results.push(result.catch(() => undefined));
    return result;
  };

  /** Resolves once `count` calls have been made. */
  callsMade(count: number): Promise<void> {
    if (this.calls.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.callWaiters.push({ count, resolve }));
  }

  /** Releases held calls and resolves once their results have been handled by the caller. */
  async releaseAndSettle(): Promise<void> {
    this.release();
    await Promise.all(this.results);
    // The caller handles a result in promise callbacks, all run before the next macrotask.
    await new Promise((resolve) => setImmediate(resolve));
  }

  private async answer(stream: string, entries: readonly PutEntry[]): Promise<EntryOutcome[]> {
    const ids = entries.map((e) => Buffer.from(e.data).toString());
    this.calls.push({ stream, ids });
    for (const waiter of this.callWaiters.filter((w) => this.calls.length >= w.count)) {
      this.callWaiters.splice(this.callWaiters.indexOf(waiter), 1);
      waiter.resolve();
    }
    const thrown = this.throwWhen(this.calls.length - 1);
    if (this.hold) await new Promise<void>((resolve) => this.held.push(resolve));
    await Promise.resolve();
    if (thrown !== undefined) throw thrown;
    return entries.map((e, i) => {
      const id = ids[i];
      const attempt = (this.attempts.get(id) ?? 0) + 1;
      this.attempts.set(id, attempt);
      const code = this.failWhen(id, attempt);
      if (code !== undefined) return { ok: false, code, message: `fake ${code}` };
      this.log.push({ stream, vin: e.partitionKey, id });
      return { ok: true, shardId: 'shardId-000000000000', sequenceNumber: String(this.log.length) };
    });
  }

  release(): void {
    this.hold = false;
    for (const resolve of this.held.splice(0)) resolve();
  }

  idsOf(vin: string, stream = 's'): string[] {
    return this.log.filter((l) => l.vin === vin && l.stream === stream).map((l) => l.id);
  }
}

interface Item {
  id: string;
}

function setup(options: Partial<BatcherOptions> = {}) {
  const kinesis = new FakeKinesis();
  const delivered: string[] = [];
  const failed: { id: string; error: string }[] = [];
  const retried: string[] = [];
  const batcher = new PutRecordsBatcher<Item>(
    kinesis.put,
    {
      delivered: (item) => delivered.push(item.id),
      failed: (item, error) => failed.push({ id: item.id, error }),
      retrying: (item) => retried.push(item.id),
    },
    {
      attempts: 2,
      maxBufferedRecords: 10_000,
      maxBufferedBytes: 64 * 1024 * 1024,
      maxCallsPerStream: 4,
      retryDelayMs: () => 1,
      ...options,
    },
  );
  const put = (vin: string, id: string, stream = 's', size?: number) =>
    batcher.enqueue(stream, vin, Buffer.from(id), size ?? id.length + vin.length, { id });
  return { kinesis, batcher, delivered, failed, retried, put };
}

/** One turn of the event loop: the batcher sends what was queued in the previous one (setImmediate). */
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('PutRecordsBatcher', () => {
  it('sends one turn’s records of many VINs in one PutRecords call, one record per VIN per call', async () => {
    const { kinesis, batcher, delivered, put } = setup();
    for (let i = 0; i < 3; i++) for (const vin of ['A', 'B', 'C']) put(vin, `${vin}${i}`);
    await batcher.idle();
    expect(kinesis.calls[0]).toEqual({ stream: 's', ids: ['A0', 'B0', 'C0'] });
    for (const call of kinesis.calls) expect(new Set(call.ids.map((id) => id[0])).size).toBe(call.ids.length);
    for (const vin of ['A', 'B', 'C']) expect(kinesis.idsOf(vin)).toEqual([`${vin}0`, `${vin}1`, `${vin}2`]);
    expect(delivered).toHaveLength(9);
  });

  it('retries a failed entry of a partial failure and keeps that VIN’s order; other VINs go on', async () => {
    const { kinesis, batcher, delivered, failed, retried, put } = setup({ attempts: 3, retryDelayMs: () => 20 });
    // A0 is throttled twice, B1 once: both succeed on a later attempt.
    kinesis.failWhen = (id, attempt) =>
      (id === 'A0' && attempt <= 2) || (id === 'B1' && attempt === 1) ? 'ProvisionedThroughputExceededException' : undefined;
    for (let i = 0; i < 4; i++) for (const vin of ['A', 'B', 'C']) put(vin, `${vin}${i}`);
    await batcher.idle();
    expect(failed).toEqual([]);
    expect(retried).toEqual(expect.arrayContaining(['A0', 'A0', 'B1']));
    for (const vin of ['A', 'B', 'C']) expect(kinesis.idsOf(vin)).toEqual([0, 1, 2, 3].map((i) => `${vin}${i}`));
    // C never waited for A's retries: all of C was in Kinesis before A1 was sent.
    const a1Call = kinesis.calls.findIndex((c) => c.ids.includes('A1'));
    const c3Call = kinesis.calls.findIndex((c) => c.ids.includes('C3'));
    expect(c3Call).toBeLessThan(a1Call);
    expect(delivered).toHaveLength(12);
  });

  it('gives up after 1 + max_retries attempts, then sends the VIN’s next record', async () => {
    const { kinesis, batcher, failed, put } = setup({ attempts: 2 });
    kinesis.failWhen = (id) => (id === 'A0' ? 'InternalFailure' : undefined);
    put('A', 'A0');
    put('A', 'A1');
    await batcher.idle();
    expect(failed).toEqual([{ id: 'A0', error: 'InternalFailure: fake InternalFailure' }]);
    expect(kinesis.calls.filter((c) => c.ids.includes('A0'))).toHaveLength(2);
    expect(kinesis.idsOf('A')).toEqual(['A1']);
  });

  it('max_retries 0 means one attempt', async () => {
    const { kinesis, batcher, failed, put } = setup({ attempts: 1 });
    kinesis.failWhen = () => 'ProvisionedThroughputExceededException';
    put('A', 'A0');
    await batcher.idle();
    expect(kinesis.calls).toHaveLength(1);
    expect(failed.map((f) => f.id)).toEqual(['A0']);
  });

  it('does not retry a permanent entry error', async () => {
    const { kinesis, batcher, failed, put } = setup({ attempts: 5 });
    kinesis.failWhen = (id) => (id === 'A0' ? 'KMSAccessDeniedException' : undefined);
    put('A', 'A0');
    await batcher.idle();
    expect(kinesis.calls).toHaveLength(1);
    expect(failed).toHaveLength(1);
  });

  it('retries a call that failed as a whole (network, 5xx, throttling), not one the service rejected', async () => {
    const network = setup({ attempts: 2 });
    network.kinesis.throwWhen = (call) =>
      call === 0 ? Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }) : undefined;
    network.put('A', 'A0');
    network.put('B', 'B0');
    await network.batcher.idle();
    expect(network.failed).toEqual([]);
    expect(network.kinesis.log.map((l) => l.id).sort()).toEqual(['A0', 'B0']);

    const missing = setup({ attempts: 5 });
    const notFound = Object.assign(new Error('Stream s not found'), { name: 'ResourceNotFoundException', $fault: 'client' });
    missing.kinesis.throwWhen = () => notFound;
    missing.put('A', 'A0');
    await missing.batcher.idle();
    expect(missing.kinesis.calls).toHaveLength(1);
    expect(missing.failed).toEqual([{ id: 'A0', error: 'ResourceNotFoundException: Stream s not found' }]);

    const throttled = setup({ attempts: 2 });
    const throttle = Object.assign(new Error('Rate exceeded'), { name: 'LimitExceededException', $fault: 'client' });
    throttled.kinesis.throwWhen = (call) => (call === 0 ? throttle : undefined);
    throttled.put('A', 'A0');
    await throttled.batcher.idle();
    expect(throttled.failed).toEqual([]);
  });

  it('splits ready records at 500 per call and at 5 MiB per call', async () => {
    const count = setup();
    for (let i = 0; i < 1100; i++) count.put(`V${i}`, `r${i}`);
    await count.batcher.idle();
    expect(count.kinesis.calls.map((c) => c.ids.length)).toEqual([500, 500, 100]);

    const bytes = setup();
    for (let i = 0; i < 7; i++) bytes.put(`V${i}`, `r${i}`, 's', 1024 * 1024);
    await bytes.batcher.idle();
    expect(bytes.kinesis.calls.map((c) => c.ids.length)).toEqual([5, 2]);
  });

  it('keeps one queue per stream: a VIN’s records on two streams do not wait for each other', async () => {
    const { kinesis, batcher, put } = setup();
    put('A', 'v0', 'V');
    put('A', 'a0', 'alerts');
    put('A', 'v1', 'V');
    await batcher.idle();
    expect(
      kinesis.calls
        .slice(0, 2)
        .map((c) => c.stream)
        .sort(),
    ).toEqual(['V', 'alerts']);
    expect(kinesis.idsOf('A', 'V')).toEqual(['v0', 'v1']);
  });

  it('runs up to maxCallsPerStream calls at once: a slow call holds only its own VINs', async () => {
    const { kinesis, batcher, delivered, put } = setup({ maxCallsPerStream: 2 });
    kinesis.hold = true;
    put('A', 'A0');
    await kinesis.callsMade(1);
    put('B', 'B0');
    await kinesis.callsMade(2);
    put('C', 'C0');
    await nextTurn(); // the turn in which C0 would have been sent
    // A0 and B0 are in two calls at once; C0 waits for a free slot.
    expect(kinesis.calls.map((c) => c.ids)).toEqual([['A0'], ['B0']]);
    kinesis.release();
    await batcher.idle();
    expect(delivered.sort()).toEqual(['A0', 'B0', 'C0']);
  });

  it('is bounded: records and bytes (in flight included) over the bound are refused', async () => {
    const byCount = setup({ maxBufferedRecords: 3 });
    byCount.kinesis.hold = true;
    expect(['A0', 'A1', 'B0', 'B1'].map((id) => byCount.put(id[0], id))).toEqual(['queued', 'queued', 'queued', 'full']);
    byCount.kinesis.release();
    await byCount.batcher.idle();
    expect(byCount.put('A', 'A2')).toBe('queued');
    await byCount.batcher.idle();

    const byBytes = setup({ maxBufferedBytes: 100 });
    expect(byBytes.put('A', 'x', 's', 60)).toBe('queued');
    expect(byBytes.put('B', 'y', 's', 41)).toBe('full');
    expect(byBytes.put('B', 'y', 's', 40)).toBe('queued');
    await byBytes.batcher.idle();
    expect(byBytes.batcher.buffered).toEqual({ records: 0, bytes: 0 });
  });

  it('close sends what is queued, then refuses new records', async () => {
    const { kinesis, batcher, delivered, put } = setup();
    for (let i = 0; i < 3; i++) put('A', `A${i}`);
    await batcher.close(5_000);
    expect(kinesis.idsOf('A')).toEqual(['A0', 'A1', 'A2']);
    expect(delivered).toHaveLength(3);
    expect(put('A', 'late')).toBe('closed');
  });

  it('close gives up at its timeout: what is left fails exactly once, late results are ignored', async () => {
    const { kinesis, batcher, delivered, failed, put } = setup();
    kinesis.hold = true;
    put('A', 'A0');
    put('A', 'A1');
    await batcher.close(50);
    expect(failed.map((f) => f.id)).toEqual(['A0', 'A1']);
    expect(failed[0].error).toBe('not delivered within 50 ms of close');
    await kinesis.releaseAndSettle();
    expect(delivered).toEqual([]);
    expect(failed).toHaveLength(2);
    expect(batcher.buffered.records).toBe(0);
  });

  it('reports each call’s overall result (health)', async () => {
    const seen: (string | undefined)[] = [];
    const kinesis = new FakeKinesis();
    kinesis.throwWhen = (call) => (call === 0 ? new Error('socket hang up') : undefined);
    const batcher = new PutRecordsBatcher<Item>(
      kinesis.put,
      { delivered: () => undefined, failed: () => undefined, callSettled: (e) => seen.push(e) },
      { attempts: 2, maxBufferedRecords: 10, maxBufferedBytes: 1000, maxCallsPerStream: 1, retryDelayMs: () => 1 },
    );
    batcher.enqueue('s', 'A', Buffer.from('A0'), 3, { id: 'A0' });
    await batcher.idle();
    expect(seen).toEqual(['socket hang up', undefined]);
  });
});
