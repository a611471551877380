import pino from 'pino';
import { ReliableAcks } from './reliable-acks';
import type { Session } from './session';

function fakeSession(open = true) {
  const sent: Uint8Array[] = [];
  /** The sends made inside each corked write. */
  const corks: number[] = [];
  const session = {
    isOpen: open,
    identity: { socketId: 's' },
    send: (r: Uint8Array) => sent.push(r),
    corked: (write: () => void) => {
      const before = sent.length;
      write();
      corks.push(sent.length - before);
    },
  } as unknown as Session;
  return { session, sent, corks };
}

const ack = Uint8Array.of(1, 2, 3);
const settlement = (pendingId: number, delivered = true) => ({
  pendingId,
  recordType: 'V',
  sink: 'kafka',
  reply: delivered ? ack : undefined,
});

describe('ReliableAcks (PROTOCOL.md §9, D5)', () => {
  it('sends the ACK when the settlement arrives after the result', () => {
    const acks = new ReliableAcks(pino({ level: 'silent' }));
    const { session, sent } = fakeSession();
    acks.await(session, 0, 7);
    expect(sent).toEqual([]);
    acks.settled(0, [settlement(7)]);
    expect(sent).toEqual([ack]);
  });

  it('sends the ACK when the settlement arrives first (different channels)', () => {
    const acks = new ReliableAcks(pino({ level: 'silent' }));
    const { session, sent } = fakeSession();
    acks.settled(1, [settlement(7)]);
    acks.await(session, 1, 7);
    expect(sent).toEqual([ack]);
  });

  it('keeps lanes apart: the same pending id on two lanes is two records', () => {
    const acks = new ReliableAcks(pino({ level: 'silent' }));
    const a = fakeSession();
    const b = fakeSession();
    acks.await(a.session, 0, 1);
    acks.await(b.session, 1, 1);
    acks.settled(1, [settlement(1)]);
    expect([a.sent.length, b.sent.length]).toEqual([0, 1]);
  });

  it('sends nothing for a failed delivery or a closed session, and becomes idle', async () => {
    const acks = new ReliableAcks(pino({ level: 'silent' }));
    const failed = fakeSession();
    const closed = fakeSession(false);
    acks.await(failed.session, 0, 1);
    acks.await(closed.session, 0, 2);
    const idle = acks.idle();
    acks.settled(0, [settlement(1, false)]);
    acks.settled(0, [settlement(2)]);
    await idle;
    expect([failed.sent.length, closed.sent.length]).toEqual([0, 0]);
  });

  it("writes a session's ACKs of one lane message in one corked write, in settlement order", () => {
    const acks = new ReliableAcks(pino({ level: 'silent' }));
    const a = fakeSession();
    const b = fakeSession();
    acks.await(a.session, 0, 1);
    acks.await(b.session, 0, 2);
    acks.await(a.session, 0, 3);
    const first = Uint8Array.of(9);
    acks.settled(0, [{ ...settlement(3), reply: first }, settlement(2), settlement(1)]);
    expect(a.corks).toEqual([2]);
    expect(a.sent).toEqual([first, ack]);
    expect(b.corks).toEqual([1]);
  });
});
