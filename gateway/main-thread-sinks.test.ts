/** The main-thread sink host handing its sinks' verdicts to the reply ledger (D6, §9), with fake sinks. */
import pino from 'pino';
import { FORWARD_STRIDE, INDEX_STRIDE, Outcome } from '../shared/batch';
import { recordMetadata } from '../shared/record';
import { ForwardBuffer } from '../dispatch-workers/pipeline/forward-buffer';
import type { DeliveryConfirmation, ProduceVerdict, Sink, SinkRecord } from '../dispatch-workers/sinks/sink';
import { MainThreadSinks } from './main-thread-sinks';
import { ReplyLedger } from './replies/ledger';
import { FakeWriter, resultOf } from '../test/harness/reply-fakes';

class FakeSink implements Sink {
  readonly produced: SinkRecord[] = [];
  readonly confirmations: DeliveryConfirmation[] = [];
  constructor(public verdict: ProduceVerdict | (() => ProduceVerdict) = { accepted: true }) {}
  produce(record: SinkRecord, confirm?: DeliveryConfirmation) {
    this.produced.push({ ...record, payload: Uint8Array.from(record.payload) });
    if (confirm) this.confirmations.push(confirm);
    return typeof this.verdict === 'function' ? this.verdict() : this.verdict;
  }
  async close() {}
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

const silent = pino({ level: 'silent' });

function run(sinks: Map<string, Sink>, outcomes: Outcome[], forwarded: Parameters<typeof resultOf>[2]) {
  const host = new MainThreadSinks(sinks, silent);
  const ledger = new ReplyLedger(silent);
  const writer = new FakeWriter();
  const queue = ledger.queueFor(writer);
  const entries = outcomes.map(() => ledger.arrived(queue));
  const result = resultOf(
    outcomes,
    outcomes.map((_, i) => `r${i}`),
    forwarded,
  );
  result.forwardedPayloads = Uint8Array.of(1, 2, 3, 4, 5, 6);
  ledger.batchReturned(entries, result, (r, verdicts) => host.produce(r, verdicts));
  return { ledger, writer };
}

describe('MainThreadSinks.produce', () => {
  it('hands each forwarded record its own payload bytes and keeps the ACK when accepted', () => {
    const kafka = new FakeSink();
    const { writer } = run(
      new Map([['kafka', kafka]]),
      [Outcome.Ack, Outcome.Ack],
      [
        { entry: 0, offset: 0, length: 2 },
        { entry: 1, offset: 2, length: 4 },
      ],
    );
    expect(writer.replies).toEqual(['r0', 'r1']);
    expect(kafka.produced.map((p) => [...p.payload])).toEqual([
      [1, 2],
      [3, 4, 5, 6],
    ]);
    expect(kafka.produced[1].metadata.txid).toBe('t1');
  });

  it('rebuilds each forwarded record exactly as the lane’s forwarding sink received it', () => {
    const identity = {
      socketId: 's',
      deviceId: 'VIN9',
      senderId: 'vehicle_device.VIN9',
      clientVersion: 'v\uFFFD',
      clientVersionAltered: true,
    };
    const lane = [
      { txid: 'a\uFFFD', recordType: 'alerts', receivedAt: 1_700_000_000_123, altered: 'txid' as const, payload: [9, 8] },
      { txid: 'b', recordType: 'V', receivedAt: 1_700_000_000_456, altered: 'device_client_version' as const, payload: [] },
    ].map((r) => ({
      recordType: r.recordType,
      vin: identity.deviceId,
      txid: r.txid,
      alteredMetadata: r.altered,
      payload: Uint8Array.from(r.payload),
      metadata: recordMetadata(identity.deviceId, r.receivedAt, r.txid, r.recordType, identity.clientVersion),
      decoded: undefined,
    }));
    const forward = new ForwardBuffer();
    const index = new Float64Array(3 * INDEX_STRIDE);
    [0, 2].forEach((entry, n) => {
      index[entry * INDEX_STRIDE + 4] = Number(lane[n].metadata.receivedat);
      forward.entry = entry;
      forward.add('kafka', n === 0, lane[n]);
    });
    const result = resultOf([Outcome.Ack, Outcome.Ack, Outcome.Pending], ['r0', 'r1', 'r2']);
    Object.assign(result, {
      index: index.buffer,
      sessions: [identity],
      forwards: forward.rows.subarray(0, forward.count * FORWARD_STRIDE),
      forwardNames: forward.names,
      forwardTxids: forward.txids,
      forwardedPayloads: forward.payloads(),
    });
    const kafka = new FakeSink();
    const ledger = new ReplyLedger(silent);
    const queue = ledger.queueFor(new FakeWriter());
    const entries = [0, 1, 2].map(() => ledger.arrived(queue));
    ledger.batchReturned(entries, result, (r, verdicts) => new MainThreadSinks(new Map([['kafka', kafka]]), silent).produce(r, verdicts));
    expect(kafka.produced).toEqual(lane);
    expect(kafka.confirmations).toHaveLength(1); // the first is the reliable one
  });

  it('withdraws the ACK of a refused record, also one a lane sink still had to confirm (D6)', () => {
    const kafka = new FakeSink({ accepted: false, reason: 'queue full' });
    const { writer, ledger } = run(new Map([['kafka', kafka]]), [Outcome.Ack, Outcome.Pending], [{ entry: 0 }, { entry: 1 }]);
    expect(writer.replies).toEqual([]);
    expect(ledger.pending).toBe(1); // entry 1 still waits for its lane's confirmation, then gets no ACK
  });

  it('holds a reliable ACK until the sink confirms delivery, and drops it on failure (§9)', async () => {
    const kafka = new FakeSink();
    const { writer, ledger } = run(
      new Map([['kafka', kafka]]),
      [Outcome.Ack, Outcome.Ack],
      [
        { entry: 0, reliable: true },
        { entry: 1, reliable: true },
      ],
    );
    expect(writer.replies).toEqual([]);
    const idle = ledger.idle();
    kafka.confirmations[1](true);
    expect(writer.replies).toEqual([]); // behind entry 0
    kafka.confirmations[0](false);
    await idle;
    expect(writer.replies).toEqual(['r1']);
  });

  it('never sends a held ACK when another main-thread sink refused the same record', () => {
    const kafka = new FakeSink();
    const other = new FakeSink({ accepted: false, reason: 'down' });
    const { writer, ledger } = run(
      new Map<string, Sink>([
        ['kafka', kafka],
        ['other', other],
      ]),
      [Outcome.Ack],
      [
        { entry: 0, sink: 'kafka', reliable: true },
        { entry: 0, sink: 'other' },
      ],
    );
    kafka.confirmations[0](true);
    expect(writer.replies).toEqual([]);
    expect(ledger.unsettled).toBe(0);
  });

  it('treats a sink that throws as a refusal of that record only, with nothing left waiting', () => {
    let calls = 0;
    const kafka = new FakeSink(() => {
      if (calls++ === 0) throw new Error('boom');
      return { accepted: true };
    });
    const { writer, ledger } = run(new Map([['kafka', kafka]]), [Outcome.Ack, Outcome.Ack], [{ entry: 0, reliable: true }, { entry: 1 }]);
    expect(writer.replies).toEqual(['r1']);
    expect(ledger.unsettled).toBe(0);
  });

  it('holds the ACK of a record accepted above the sink’s high-water mark until it is released', async () => {
    const releases: DeliveryConfirmation[] = [];
    const kafka = new FakeSink({ accepted: true, held: (release) => releases.push(release) });
    const { writer, ledger } = run(new Map([['kafka', kafka]]), [Outcome.Ack, Outcome.Ack], [{ entry: 0 }, { entry: 1 }]);
    expect(writer.replies).toEqual([]);
    releases[0](true);
    await turn(); // confirmations are written at the end of the turn
    expect(writer.replies).toEqual(['r0']);
    releases[1](false);
    await turn();
    expect(writer.replies).toEqual(['r0']);
    expect(ledger.unsettled).toBe(0);
  });
});
