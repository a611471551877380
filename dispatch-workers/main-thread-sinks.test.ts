/** Folding main-thread sinks' verdicts into a batch result (D6, §9), with fake sinks. */
import pino from 'pino';
import { Outcome } from '../shared/batch';
import type { DispatchResult, ForwardedRecord } from '../shared/batch';
import { recordMetadata } from '../shared/record';
import type { DeliveryConfirmation, ProduceVerdict, Sink, SinkRecord } from './sinks/sink';
import { MainThreadSinks } from './main-thread-sinks';

class FakeSink implements Sink {
  readonly produced: SinkRecord[] = [];
  readonly confirmations: DeliveryConfirmation[] = [];
  constructor(public verdict: ProduceVerdict = { accepted: true }) {}
  produce(record: SinkRecord, confirm?: DeliveryConfirmation) {
    this.produced.push({ ...record, payload: Uint8Array.from(record.payload) });
    if (confirm) this.confirmations.push(confirm);
    return this.verdict;
  }
  async close() {}
}

const ACK = Uint8Array.of(9, 9, 9);

function result(
  outcomes: number[],
  forwarded: Omit<ForwardedRecord, 'metadata' | 'vin' | 'txid' | 'alteredMetadata' | 'recordType'>[],
): DispatchResult {
  const replies = new Uint8Array(ACK.length * outcomes.length);
  const replyIndex = new Uint32Array(outcomes.length * 2);
  outcomes.forEach((_, i) => {
    replies.set(ACK, i * ACK.length);
    replyIndex[i * 2] = i * ACK.length;
    replyIndex[i * 2 + 1] = ACK.length;
  });
  return {
    frames: new ArrayBuffer(0),
    index: new ArrayBuffer(0),
    outcomes: Uint8Array.from(outcomes),
    replies,
    replyIndex,
    recordTypes: outcomes.map(() => 'V'),
    pendingIds: Uint32Array.from(outcomes.map((_, i) => 100 + i)),
    forwarded: forwarded.map((f) => ({
      ...f,
      recordType: 'V',
      vin: 'VIN1',
      txid: `t${f.entry}`,
      alteredMetadata: undefined,
      metadata: recordMetadata('VIN1', 1, `t${f.entry}`, 'V', ''),
    })),
    forwardedPayloads: Uint8Array.of(1, 2, 3, 4, 5, 6),
  };
}

function held() {
  const sent: [number, Uint8Array][] = [];
  const withdrawn: number[] = [];
  return {
    sent,
    withdrawn,
    target: { sendLater: (e: number, r: Uint8Array) => sent.push([e, r]), withdrawPending: (_e: number, id: number) => withdrawn.push(id) },
  };
}

describe('MainThreadSinks.produce', () => {
  it('hands each forwarded record its own payload bytes and keeps the ACK when accepted', () => {
    const kafka = new FakeSink();
    const sinks = new MainThreadSinks(new Map([['kafka', kafka]]), pino({ level: 'silent' }));
    const r = result(
      [Outcome.Ack, Outcome.Ack],
      [
        { entry: 0, sink: 'kafka', reliable: false, offset: 0, length: 2 },
        { entry: 1, sink: 'kafka', reliable: false, offset: 2, length: 4 },
      ],
    );
    sinks.produce(r, held().target);
    expect([...r.outcomes]).toEqual([Outcome.Ack, Outcome.Ack]);
    expect(kafka.produced.map((p) => [...p.payload])).toEqual([
      [1, 2],
      [3, 4, 5, 6],
    ]);
    expect(kafka.produced[1].metadata.txid).toBe('t1');
  });

  it('withdraws the ACK of a refused record, also a pending pool-side reliable ACK (D6)', () => {
    const kafka = new FakeSink({ accepted: false, reason: 'queue full' });
    const sinks = new MainThreadSinks(new Map([['kafka', kafka]]), pino({ level: 'silent' }));
    const h = held();
    const r = result(
      [Outcome.Ack, Outcome.Pending],
      [
        { entry: 0, sink: 'kafka', reliable: false, offset: 0, length: 1 },
        { entry: 1, sink: 'kafka', reliable: false, offset: 1, length: 1 },
      ],
    );
    sinks.produce(r, h.target);
    expect([...r.outcomes]).toEqual([Outcome.None, Outcome.None]);
    expect(h.withdrawn).toEqual([101]);
  });

  it('holds a reliable ACK until the sink confirms delivery, and drops it on failure (§9)', async () => {
    const kafka = new FakeSink();
    const sinks = new MainThreadSinks(new Map([['kafka', kafka]]), pino({ level: 'silent' }));
    const h = held();
    const r = result(
      [Outcome.Ack, Outcome.Ack],
      [
        { entry: 0, sink: 'kafka', reliable: true, offset: 0, length: 1 },
        { entry: 1, sink: 'kafka', reliable: true, offset: 1, length: 1 },
      ],
    );
    sinks.produce(r, h.target);
    expect([...r.outcomes]).toEqual([Outcome.None, Outcome.None]);
    const idle = sinks.idle();
    kafka.confirmations[1](true);
    kafka.confirmations[0](false);
    await idle;
    expect(h.sent).toEqual([[1, ACK]]);
  });

  it('never sends a held ACK when another main-thread sink refused the same record', () => {
    const kafka = new FakeSink();
    const other = new FakeSink({ accepted: false, reason: 'down' });
    const sinks = new MainThreadSinks(
      new Map([
        ['kafka', kafka],
        ['other', other],
      ]),
      pino({ level: 'silent' }),
    );
    const h = held();
    const r = result(
      [Outcome.Ack],
      [
        { entry: 0, sink: 'kafka', reliable: true, offset: 0, length: 1 },
        { entry: 0, sink: 'other', reliable: false, offset: 1, length: 1 },
      ],
    );
    sinks.produce(r, h.target);
    kafka.confirmations[0](true);
    expect(h.sent).toEqual([]);
  });
});
