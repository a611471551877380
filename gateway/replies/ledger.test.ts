/** The reply ledger (ARCHITECTURE.md "One reply ledger"): order, worst verdict, failures, early confirmations. */
import pino from 'pino';
import { Outcome } from '../../shared/batch';
import { ReplyLedger } from './ledger';
import type { MainThreadProducer } from './ledger';
import type { ReplyEntry } from './reply-queue';
import { FakeWriter, resultOf } from '../../test/harness/reply-fakes';

const silent = pino({ level: 'silent' });

function setup() {
  const ledger = new ReplyLedger(silent);
  const writer = new FakeWriter();
  const queue = ledger.queueFor(writer);
  const arrive = (n: number): ReplyEntry[] => Array.from({ length: n }, () => ledger.arrived(queue));
  return { ledger, writer, queue, arrive };
}

/** Lets the ledger's end-of-turn write run. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

const settlement = (entry: ReplyEntry, delivered = true) => ({
  ticket: entry.ticket,
  delivered,
  recordType: 'V',
  reliableSource: 'kinesis',
});

describe('ReplyLedger', () => {
  it('writes a batch’s replies once each, in arrival order, in one corked write', () => {
    const { ledger, writer, queue, arrive } = setup();
    const entries = arrive(3);
    expect(queue.length).toBe(3);
    ledger.batchReturned(entries, resultOf([Outcome.Ack, Outcome.Error, Outcome.None], ['a0', 'e1', '']));
    expect(writer.writes).toEqual([['a0', 'e1']]);
    expect(queue.length).toBe(0);
    expect(ledger.unsettled).toBe(0);
  });

  it('holds later replies behind an ACK that waits for its confirmation, and keeps arrival order', () => {
    const { ledger, writer, queue, arrive } = setup();
    const entries = arrive(3);
    ledger.batchReturned(entries, resultOf([Outcome.Pending, Outcome.Ack, Outcome.Ack], ['p0', 'a1', 'a2']));
    expect(writer.replies).toEqual([]);
    expect(ledger.pending).toBe(1);
    expect(queue.length).toBe(3); // still the vehicle's in-flight frames
    ledger.settled([settlement(entries[0])]);
    expect(writer.writes).toEqual([['p0', 'a1', 'a2']]);
    expect(ledger.pending).toBe(0);
  });

  it('settles a confirmation that arrives before its batch result', () => {
    const { ledger, writer, arrive } = setup();
    const entries = arrive(2);
    ledger.settled([settlement(entries[1]), settlement(entries[0], false)]);
    expect(writer.replies).toEqual([]);
    ledger.batchReturned(entries, resultOf([Outcome.Pending, Outcome.Pending], ['p0', 'p1']));
    expect(writer.replies).toEqual(['p1']); // entry 0's delivery failed: no ACK
    expect(ledger.unsettled).toBe(0);
    expect(ledger.pending).toBe(0);
  });

  it('lets the worst verdict win: a main-thread refusal or failed confirmation withdraws an ACK', async () => {
    const { ledger, writer, arrive } = setup();
    const entries = arrive(3);
    let owed: ((delivered: boolean) => void) | undefined;
    const mainThread: MainThreadProducer = (_result, verdicts) => {
      verdicts.refuse(0);
      owed = verdicts.owe(1, 'V', 'kafka', true);
      verdicts.owe(2, 'V', 'kafka', false)(true);
    };
    const result = resultOf([Outcome.Ack, Outcome.Pending, Outcome.Ack], ['a0', 'p1', 'a2'], [{ entry: 0 }]);
    ledger.batchReturned(entries, result, mainThread);
    expect(writer.replies).toEqual([]); // entry 1 owes two confirmations
    ledger.settled([settlement(entries[1])]);
    expect(writer.replies).toEqual([]);
    owed!(false);
    owed!(true); // a sink settles once: ignored
    expect(ledger.unsettled).toBe(0);
    await turn();
    expect(writer.replies).toEqual(['a2']);
  });

  it('writes the main-thread confirmations of one turn in one corked write, and is idle only once they are written', async () => {
    const { ledger, writer, arrive } = setup();
    const entries = arrive(3);
    const owed: ((delivered: boolean) => void)[] = [];
    ledger.batchReturned(entries, resultOf([Outcome.Ack, Outcome.Ack, Outcome.Ack], ['a0', 'a1', 'a2'], [{ entry: 0 }]), (_r, verdicts) => {
      for (let i = 0; i < 3; i++) owed.push(verdicts.owe(i, 'V', 'kafka', true));
    });
    for (const settle of owed) settle(true);
    expect(ledger.unsettled).toBe(0);
    let idle = false;
    const drained = ledger.idle().then(() => {
      idle = true;
      expect(writer.replies).toEqual(['a0', 'a1', 'a2']); // drain must not end the session before they left
    });
    expect(writer.writes).toEqual([]);
    expect(idle).toBe(false);
    await drained;
    expect(writer.writes).toEqual([['a0', 'a1', 'a2']]);
  });

  it('settles every entry of a failed batch: no reply, slots freed, late confirmations ignored', async () => {
    const { ledger, writer, queue, arrive } = setup();
    const first = arrive(2);
    const second = arrive(1);
    const idle = ledger.idle();
    ledger.batchFailed(first);
    expect(queue.length).toBe(1);
    ledger.settled([settlement(first[0])]);
    ledger.batchReturned(second, resultOf([Outcome.Ack], ['a2']));
    expect(writer.replies).toEqual(['a2']);
    await idle;
    expect(queue.length).toBe(0);
  });

  it('treats a main-thread producer that throws as a refusal of the records it was handed', () => {
    const { ledger, writer, arrive } = setup();
    const entries = arrive(2);
    const throwing: MainThreadProducer = () => {
      throw new Error('bug');
    };
    ledger.batchReturned(entries, resultOf([Outcome.Ack, Outcome.Ack], ['a0', 'a1'], [{ entry: 1 }]), throwing);
    expect(writer.replies).toEqual(['a0']);
    expect(ledger.unsettled).toBe(0);
  });

  it('drops the replies of a closed session but still settles its entries (drain does not wait)', async () => {
    const { ledger, writer, arrive } = setup();
    const entries = arrive(2);
    ledger.batchReturned(entries, resultOf([Outcome.Ack, Outcome.Pending], ['a0', 'p1']));
    writer.isOpen = false;
    const idle = ledger.idle();
    ledger.settled([settlement(entries[1])]);
    await idle;
    expect(writer.replies).toEqual(['a0']);
  });

  it('keeps sessions independent: one session’s held ACK does not hold another’s replies', () => {
    const ledger = new ReplyLedger(silent);
    const a = new FakeWriter();
    const b = new FakeWriter();
    const qa = ledger.queueFor(a);
    const qb = ledger.queueFor(b);
    const entries = [ledger.arrived(qa), ledger.arrived(qb), undefined];
    ledger.batchReturned(entries, resultOf([Outcome.Pending, Outcome.Ack, Outcome.None], ['pa', 'ab', '']));
    expect(a.replies).toEqual([]);
    expect(b.replies).toEqual(['ab']);
  });
});
