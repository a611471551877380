/**
 * The record pipeline's verdicts with fake sinks (DEVIATIONS.md D6, PROTOCOL.md §9): accepted ⇒ ACK,
 * refused ⇒ no reply, reliable source ⇒ the ACK waits for the sink's confirmation.
 */
import pino from 'pino';
import { EntryKind, Outcome } from '../../shared/batch';
import type { SessionIdentity } from '../../shared/batch';
import { writeAck, writeError, writeStream } from '../../shared/envelope/write-frame';
import { decode, encode, payloadTypeFor } from '../../shared/protobuf';
import type { DeliveryConfirmation, ProduceVerdict, Sink, SinkRecord } from '../sinks/sink';
import { dispatchEntry } from './dispatch-entry';
import type { PipelineContext } from './dispatch-entry';
import { ReplyBuffer } from './reply-buffer';

const session: SessionIdentity = { socketId: 'sock-1', deviceId: 'VIN1', senderId: 'vehicle_device.VIN1', clientVersion: 'v1' };

class FakeSink implements Sink {
  readonly produced: SinkRecord[] = [];
  readonly confirmations: DeliveryConfirmation[] = [];
  constructor(private readonly verdict: ProduceVerdict) {}
  produce(record: SinkRecord, confirm?: DeliveryConfirmation): ProduceVerdict {
    this.produced.push(record);
    if (confirm) this.confirmations.push(confirm);
    return this.verdict;
  }
  async close() {}
}

function context(routes: PipelineContext['routes']) {
  const settlements: { id: number; delivered: boolean }[] = [];
  let next = 1;
  const ctx: PipelineContext = {
    routes,
    transmitDecoded: false,
    logger: pino({ level: 'silent' }),
    awaitConfirmation(_type, _sink, onConfirmed) {
      const id = next++;
      onConfirmed((delivered) => settlements.push({ id, delivered }));
    },
  };
  return { ctx, settlements };
}

const vFrame = (txid: string) =>
  writeStream({
    senderId: session.senderId,
    topic: 'V',
    txid,
    payload: encode(payloadTypeFor('V'), { vin: 'SPOOFED', data: [] }),
    createdAt: 1,
    messageId: '',
    deviceType: 'vehicle_device',
    deviceId: 'VIN1',
    deliveredAt: 0,
  });

function run(ctx: PipelineContext, kind: EntryKind, frame: Uint8Array) {
  const out = new ReplyBuffer(1);
  dispatchEntry(ctx, out, 0, kind, frame, session, 1700000000000);
  const length = out.replyIndex[1];
  return { outcome: out.outcomes[0], reply: Buffer.from(out.replies().subarray(out.replyIndex[0], out.replyIndex[0] + length)), out };
}

describe('dispatchEntry', () => {
  it('ACKs a record every sink accepted, with the certificate VIN and metadata', () => {
    const sink = new FakeSink({ accepted: true });
    const { ctx } = context(new Map([['V', { sinks: [{ name: 'a', sink }], reliableSource: undefined }]]));
    const { outcome, reply } = run(ctx, EntryKind.Frame, vFrame('t1'));
    expect(outcome).toBe(Outcome.Ack);
    expect(reply).toEqual(Buffer.from(writeAck('t1', 'V')));
    expect(sink.produced[0].vin).toBe('VIN1');
    expect(sink.produced[0].metadata).toEqual({
      vin: 'VIN1',
      receivedat: '1700000000000',
      timestamp: '0',
      txid: 't1',
      txtype: 'V',
      version: '0',
      device_client_version: 'v1',
    });
    expect((sink.produced[0].decoded as { vin: string }).vin).toBe('VIN1');
  });

  it('re-encodes the payload only when a sink reads it or metrics count it', () => {
    const reading = new FakeSink({ accepted: true });
    const { ctx } = context(new Map([['V', { sinks: [{ name: 'a', sink: reading }], reliableSource: undefined }]]));
    run(ctx, EntryKind.Frame, vFrame('t1'));
    expect(decode(payloadTypeFor('V')!, reading.produced[0]!.payload)).toMatchObject({ ok: true, message: { vin: 'VIN1' } });

    const notReading = new FakeSink({ accepted: true });
    const unread = context(new Map([['V', { sinks: [{ name: 'l', sink: notReading }], reliableSource: undefined, payloadUnread: true }]]));
    expect(run(unread.ctx, EntryKind.Frame, vFrame('t2')).outcome).toBe(Outcome.Ack);
    expect(notReading.produced[0]!.payload).toHaveLength(0);
    expect((notReading.produced[0]!.decoded as { vin: string }).vin).toBe('VIN1');

    const counted = new FakeSink({ accepted: true });
    const withMetrics = context(
      new Map([['V', { sinks: [{ name: 'l', sink: counted }], reliableSource: undefined, payloadUnread: true }]]),
    );
    const sizes: number[] = [];
    withMetrics.ctx.metrics = {
      dispatched: (_type, bytes) => void sizes.push(bytes),
      tooBig() {},
      unknownType() {},
      malformed() {},
      refused() {},
      confirmed() {},
    };
    run(withMetrics.ctx, EntryKind.Frame, vFrame('t3'));
    expect(counted.produced[0]!.payload.length).toBeGreaterThan(0);
    expect(sizes).toEqual([counted.produced[0]!.payload.length]);
  });

  it('hands the decoded message only to routes whose sinks read it; passthrough routes get the same bytes', () => {
    const rendering = new FakeSink({ accepted: true });
    const rendered = context(new Map([['V', { sinks: [{ name: 'logger', sink: rendering }], reliableSource: undefined }]]));
    expect(run(rendered.ctx, EntryKind.Frame, vFrame('t1')).outcome).toBe(Outcome.Ack);
    expect((rendering.produced[0].decoded as { vin: string }).vin).toBe('VIN1');

    const passing = new FakeSink({ accepted: true });
    const passthrough = context(
      new Map([['V', { sinks: [{ name: 'kafka', sink: passing }], reliableSource: undefined, decodedUnread: true }]]),
    );
    expect(run(passthrough.ctx, EntryKind.Frame, vFrame('t2')).outcome).toBe(Outcome.Ack);
    expect(passing.produced[0].decoded).toBeUndefined();
    expect(Buffer.from(passing.produced[0].payload)).toEqual(Buffer.from(rendering.produced[0].payload));
    expect(decode(payloadTypeFor('V')!, passing.produced[0].payload)).toMatchObject({ ok: true, message: { vin: 'VIN1' } });
  });

  it('sends no reply when any sink refused, and still offers the record to every sink (D6)', () => {
    const refusing = new FakeSink({ accepted: false, reason: 'queue full' });
    const accepting = new FakeSink({ accepted: true });
    const { ctx } = context(
      new Map([
        [
          'V',
          {
            sinks: [
              { name: 'r', sink: refusing },
              { name: 'a', sink: accepting },
            ],
            reliableSource: undefined,
          },
        ],
      ]),
    );
    const { outcome, reply } = run(ctx, EntryKind.Frame, vFrame('t2'));
    expect(outcome).toBe(Outcome.None);
    expect(reply.length).toBe(0);
    expect(accepting.produced).toHaveLength(1);
  });

  it('holds the ACK of a reliable-ack record until its source sink confirms (§9)', () => {
    const reliable = new FakeSink({ accepted: true });
    const other = new FakeSink({ accepted: true });
    const { ctx, settlements } = context(
      new Map([
        [
          'V',
          {
            sinks: [
              { name: 'k', sink: reliable },
              { name: 'o', sink: other },
            ],
            reliableSource: 'k',
          },
        ],
      ]),
    );
    const { outcome, reply } = run(ctx, EntryKind.Frame, vFrame('t3'));
    expect(outcome).toBe(Outcome.Pending);
    expect(reply).toEqual(Buffer.from(writeAck('t3', 'V'))); // the ACK it gets once confirmed
    expect(reliable.confirmations).toHaveLength(1);
    expect(other.confirmations).toHaveLength(0); // only the reliable source confirms
    expect(settlements).toEqual([]);
    reliable.confirmations[0](true);
    reliable.confirmations[0](false); // a sink settles once; repeats are ignored
    expect(settlements).toEqual([{ id: 1, delivered: true }]);
  });

  it('holds the ACK of a record a sink accepted above its high-water mark until it releases it', () => {
    const releases: DeliveryConfirmation[] = [];
    const holding = new FakeSink({ accepted: true, held: (release) => releases.push(release) });
    const reliable = new FakeSink({ accepted: true });
    const { ctx, settlements } = context(
      new Map([
        [
          'V',
          {
            sinks: [
              { name: 'k', sink: reliable },
              { name: 'h', sink: holding },
            ],
            reliableSource: 'k',
          },
        ],
      ]),
    );
    const { outcome, reply } = run(ctx, EntryKind.Frame, vFrame('t5'));
    expect(outcome).toBe(Outcome.Pending);
    expect(reply).toEqual(Buffer.from(writeAck('t5', 'V')));
    reliable.confirmations[0](true);
    expect(settlements).toEqual([]); // the holding sink has not released it yet
    releases[0](false);
    expect(settlements).toEqual([{ id: 1, delivered: false }]); // it failed there: no ACK

    const alone = context(new Map([['V', { sinks: [{ name: 'h', sink: holding }], reliableSource: undefined }]]));
    expect(run(alone.ctx, EntryKind.Frame, vFrame('t6')).outcome).toBe(Outcome.Pending);
    releases[1](true);
    expect(alone.settlements).toEqual([{ id: 1, delivered: true }]);
  });

  it('reports a failed delivery as a settlement without ACK', () => {
    const reliable = new FakeSink({ accepted: true });
    const { ctx, settlements } = context(new Map([['V', { sinks: [{ name: 'k', sink: reliable }], reliableSource: 'k' }]]));
    run(ctx, EntryKind.Frame, vFrame('t4'));
    reliable.confirmations[0](false);
    expect(settlements.map((s) => s.delivered)).toEqual([false]);
  });

  it('answers too-big entries with ERROR and an empty txid, and never dispatches them', () => {
    const sink = new FakeSink({ accepted: true });
    const { ctx } = context(new Map([['V', { sinks: [{ name: 'a', sink }], reliableSource: undefined }]]));
    const { outcome, reply } = run(ctx, EntryKind.TooBig, new Uint8Array(0));
    expect(outcome).toBe(Outcome.Error);
    expect(reply).toEqual(Buffer.from(writeError('')));
    expect(sink.produced).toHaveLength(0);
  });

  it('dispatches connectivity entries without a reply', () => {
    const sink = new FakeSink({ accepted: true });
    const { ctx } = context(new Map([['V', { sinks: [{ name: 'a', sink }], reliableSource: undefined }]]));
    const { outcome } = run(ctx, EntryKind.Connectivity, vFrame('t5'));
    expect(outcome).toBe(Outcome.None);
    expect(sink.produced).toHaveLength(1);
  });

  it('ERRORs a record whose payload does not decode, before any sink sees it', () => {
    const sink = new FakeSink({ accepted: true });
    const { ctx } = context(new Map([['V', { sinks: [{ name: 'a', sink }], reliableSource: undefined }]]));
    const frame = writeStream({
      senderId: '',
      topic: 'V',
      txid: 't6',
      payload: Uint8Array.of(0x08),
      createdAt: 0,
      messageId: '',
      deviceType: '',
      deviceId: '',
      deliveredAt: 0,
    });
    const { outcome, reply } = run(ctx, EntryKind.Frame, frame);
    expect(outcome).toBe(Outcome.Error);
    expect(reply).toEqual(Buffer.from(writeError('t6')));
    expect(sink.produced).toHaveLength(0);
  });
});
