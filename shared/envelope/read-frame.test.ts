import { readFrame } from './read-frame';
import type { FrameReadResult } from './read-frame';
import { writeAck, writeError } from './write-frame';
import { prng } from '../../test/harness/prng';

/** golden-vectors.json frames.inbound_stream_example (also checked in golden-frames.test.ts). */
const INBOUND_HEX =
  '1400000000000e001800140010000f00080004000e0000001400000040000000000000041400000018000000050000006d73672d31000000010000005600000006000000747869642d310000100024001c0020001800140010000400100000007b68e5cf8b010000000000001400000020000000300000000100000030000000080000006465766963652d31000000000e00000076656869636c655f6465766963650000020000000a0000001700000076656869636c655f6465766963652e6465766963652d3100';

const inbound = (): Uint8Array => new Uint8Array(Buffer.from(INBOUND_HEX, 'hex'));
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

const view = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);
const getU32 = (b: Uint8Array, at: number): number => view(b).getUint32(at, true);
const setU32 = (b: Uint8Array, at: number, v: number): void => view(b).setUint32(at, v >>> 0, true);
const setU16 = (b: Uint8Array, at: number, v: number): void => view(b).setUint16(at, v, true);

/** Test-side layout helpers for well-formed frames (plain DataView reads). */
function layout(b: Uint8Array): {
  table: number;
  vtable: number;
  field(vtOffset: number): number;
  vectorAt(vtOffset: number): number;
  message: number;
} {
  const table = getU32(b, 0);
  const vtable = table - view(b).getInt32(table, true);
  const field = (vtOffset: number): number => table + view(b).getUint16(vtable + vtOffset, true);
  const vectorAt = (vtOffset: number): number => field(vtOffset) + getU32(b, field(vtOffset));
  return { table, vtable, field, vectorAt, message: field(10) + getU32(b, field(10)) };
}

function expectMalformed(result: FrameReadResult): void {
  expect(result.kind).toBe('malformed');
  if (result.kind !== 'malformed') return;
  expect(result.txid).toBe('');
  expect(result.error).toMatch(/^panic while deserializing binary hermes stream: runtime error: /);
}

describe('readFrame: §4.3 steps', () => {
  test('empty frame ⇒ unknown type, no txid, type 0', () => {
    expect(readFrame(new Uint8Array(0))).toMatchObject({ kind: 'unknown-type', txid: '', topic: '', msgType: 0 });
  });

  test('1..3 bytes ⇒ malformed (the root uoffset does not fit)', () => {
    for (const n of [1, 2, 3]) expectMalformed(readFrame(new Uint8Array(n)));
  });

  test('plain text sent as a frame ⇒ malformed', () => {
    expectMalformed(readFrame(utf8('D4,test,1234,{"mydata":42}')));
    expectMalformed(readFrame(utf8('test,1234,type')));
  });

  test.each([5, 0, 3, 1, 255])('union type %i ⇒ unknown type with the envelope txid and topic', (type) => {
    const b = inbound();
    b[layout(b).field(8)] = type;
    expect(readFrame(b)).toMatchObject({ kind: 'unknown-type', txid: 'txid-1', topic: 'V', msgType: type, txidBytes: utf8('txid-1') });
  });

  test('type slot absent (vtable entry 0) ⇒ unknown type 0 with the txid', () => {
    const b = inbound();
    setU16(b, layout(b).vtable + 8, 0);
    expect(readFrame(b)).toMatchObject({ kind: 'unknown-type', txid: 'txid-1', topic: 'V', msgType: 0 });
  });

  test('message slot absent ⇒ unknown type with NO txid (step 3), whatever the type says', () => {
    const b = inbound();
    setU16(b, layout(b).vtable + 10, 0);
    expect(readFrame(b)).toMatchObject({ kind: 'unknown-type', txid: '', topic: '', msgType: 0 });
    const ack = writeAck('1234', 'V');
    setU16(ack, layout(ack).vtable + 10, 0);
    expect(readFrame(ack)).toMatchObject({ kind: 'unknown-type', txid: '', topic: '', msgType: 0 });
  });

  test('vtable too short to hold the message slot ⇒ unknown type with no txid', () => {
    const b = inbound();
    setU16(b, layout(b).vtable, 10); // covers slots at 4, 6, 8 only
    expect(readFrame(b)).toMatchObject({ kind: 'unknown-type', txid: '', msgType: 0 });
  });

  test('absent stream fields read as empty / 0', () => {
    const b = inbound();
    const { message } = layout(b);
    const streamVtable = message - view(b).getInt32(message, true);
    setU16(b, streamVtable, 4); // vtable now covers no field at all
    expect(readFrame(b)).toMatchObject({
      kind: 'stream',
      txid: 'txid-1',
      topic: 'V',
      messageId: 'msg-1',
      senderId: '',
      deviceType: '',
      deviceId: '',
      createdAt: 0,
      deliveredAtEpochMs: 0n,
      payload: new Uint8Array(0),
    });
  });

  test('ERROR and ACK frames from the writer read back', () => {
    expect(readFrame(writeError(''))).toMatchObject({ kind: 'stream', txid: '', payload: utf8('incorrect message format') });
    expect(readFrame(writeAck('', ''))).toMatchObject({ kind: 'unknown-type', txid: '', topic: '', msgType: 5 });
  });
});

describe('readFrame: hostile bytes', () => {
  test.each([
    // Bytes never read: the last vector's NUL (stream); txid NUL+pad and the unread empty message
    // vector (ACK, S2); the empty sender_id's NUL+pad (ERROR).
    ['inbound stream', inbound(), 'stream', 1],
    ['ACK', writeAck('1234', 'V'), 'unknown-type', 12],
    ['ERROR', writeError('1234'), 'stream', 4],
  ] as const)('%s truncated at every length: malformed below the last byte read, identical above', (_name, full, kind, unread) => {
    const expected = readFrame(full);
    expect(expected.kind).toBe(kind);
    let firstGood = full.length;
    for (let n = full.length - 1; n >= 1; n--) {
      const result = readFrame(full.slice(0, n));
      if (result.kind === 'malformed') break;
      expect(result).toEqual(expected);
      firstGood = n;
    }
    for (let n = 1; n < firstGood; n++) expectMalformed(readFrame(full.slice(0, n)));
    expect(full.length - firstGood).toBe(unread);
  });

  test('root offset out of range', () => {
    for (const root of [0xffffffff, 0x80000000, inbound().length, inbound().length - 2]) {
      const b = inbound();
      setU32(b, 0, root);
      expectMalformed(readFrame(b));
    }
  });

  test('vtable offset out of range (either direction)', () => {
    for (const soffset of [0x7fffffff, -0x80000000, -1000, 1000]) {
      const b = inbound();
      view(b).setInt32(layout(inbound()).table, soffset, true);
      expectMalformed(readFrame(b));
    }
  });

  test('vtable slot pointing past the table', () => {
    const b = inbound();
    setU16(b, layout(b).vtable + 4, 0xfff0); // txid field offset
    expectMalformed(readFrame(b));
  });

  test('vector length past the end, or wrapping around 2^32', () => {
    for (const vtOffset of [4, 6, 12]) {
      for (const length of [inbound().length, 0xffffffff, 0xfffffffc]) {
        const b = inbound();
        setU32(b, layout(b).vectorAt(vtOffset), length);
        expectMalformed(readFrame(b));
      }
    }
    const b = inbound();
    const { message } = layout(b);
    const streamVtable = message - view(b).getInt32(message, true);
    const payloadField = message + view(b).getUint16(streamVtable + 8, true);
    setU32(b, payloadField + getU32(b, payloadField), 1 << 20);
    expectMalformed(readFrame(b));
  });

  test('a broken stream table after a readable txid ⇒ malformed with EMPTY txid (upstream record)', () => {
    const b = inbound();
    const { field } = layout(b);
    setU32(b, field(10), 0x7ffffff0); // union target far away
    expectMalformed(readFrame(b));
  });

  test('union target out of range does not matter for a non-stream type (never dereferenced)', () => {
    const ack = writeAck('1234', 'V');
    setU32(ack, layout(ack).field(10), 0x7ffffff0);
    expect(readFrame(ack)).toMatchObject({ kind: 'unknown-type', txid: '1234', topic: 'V', msgType: 5 });
  });

  test('union offset field itself unreadable ⇒ malformed even for a non-stream type', () => {
    const ack = writeAck('1234', 'V');
    setU16(ack, layout(ack).vtable + 10, 0xfff0);
    expectMalformed(readFrame(ack));
  });

  test('unknown type whose topic is unreadable ⇒ malformed (upstream reads txid and topic there)', () => {
    const ack = writeAck('1234', 'V');
    setU32(ack, layout(ack).vectorAt(6), 0xffff);
    expectMalformed(readFrame(ack));
  });

  test('uoffsets wrap modulo 2^32 like Go: a backwards-pointing txid reads the topic bytes', () => {
    const b = inbound();
    const { field, vectorAt } = layout(b);
    setU32(b, field(4), vectorAt(6) - field(4)); // negative ⇒ stored as a huge uint32
    expect(readFrame(b)).toMatchObject({ kind: 'stream', txid: 'V', topic: 'V' });
  });

  test('strings: a leading BOM is kept, invalid UTF-8 is replaced, raw bytes kept exactly', () => {
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, 0x41]);
    expect(readFrame(writeAck(bom, 'V'))).toMatchObject({ txid: '\ufeffA', txidBytes: bom });
    const bad = new Uint8Array([0x41, 0xff, 0x42]);
    expect(readFrame(writeAck(bad, bad))).toMatchObject({ txid: 'A\ufffdB', topic: 'A\ufffdB', txidBytes: bad, topicBytes: bad });
    const long = new Uint8Array(100).fill(0x61);
    long[99] = 0xc3;
    expect(readFrame(writeError(long))).toMatchObject({ txid: `${'a'.repeat(99)}\ufffd` });
  });

  test('frame inside a larger buffer (non-zero byteOffset) reads relative to the view', () => {
    const full = inbound();
    const host = new Uint8Array(full.length + 13).fill(0xee);
    host.set(full, 7);
    const frame = host.subarray(7, 7 + full.length);
    expect(readFrame(frame)).toEqual(readFrame(full));
  });
});

describe('readFrame: fuzz (seeded) never throws', () => {
  const seeds = [inbound(), writeAck('0b8e5ef2-43f2-4f7b-8d4a-8a6a1b0e9c11', 'V'), writeError('1234'), writeAck('', '')];

  /** Returns a problem description, or '' (plain checks: expect() per frame would dominate the run time). */
  function check(frame: Uint8Array, counts: Record<string, number>): string {
    let result: FrameReadResult;
    try {
      result = readFrame(frame);
    } catch (err) {
      return `threw ${String(err)} for ${Buffer.from(frame).toString('hex')}`;
    }
    counts[result.kind] = (counts[result.kind] ?? 0) + 1;
    if (result.kind !== 'stream') return '';
    // Views never reach outside the frame.
    for (const v of [result.payload, result.txidBytes, result.topicBytes]) {
      if (v.length > 0 && (v.buffer !== frame.buffer || v.byteOffset + v.length > frame.byteOffset + frame.length))
        return `view outside the frame`;
    }
    if (!(result.createdAt >= 0 && result.deliveredAtEpochMs >= 0n)) return 'negative scalar';
    return '';
  }

  test('20 000 mutated valid frames and 5 000 random ones', () => {
    const rand = prng(0xf1ee7);
    const counts: Record<string, number> = {};
    const problems: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const seed = seeds[i % seeds.length];
      let frame = seed.slice();
      const mutations = 1 + Math.floor(rand() * 4);
      for (let m = 0; m < mutations; m++) {
        const at = Math.floor(rand() * frame.length);
        const r = rand();
        if (r < 0.5) frame[at] = Math.floor(rand() * 256);
        else if (r < 0.7) frame[at] ^= 1 << Math.floor(rand() * 8);
        else if (r < 0.85) frame = frame.slice(0, at);
        else if (r < 0.95 && at + 4 <= frame.length) setU32(frame, at & ~3, Math.floor(rand() * 2 ** 32));
        else frame[at] = [0, 0xff, 0x7f, 0x80][Math.floor(rand() * 4)];
      }
      problems.push(check(frame, counts));
    }
    for (let i = 0; i < 5_000; i++) {
      const frame = new Uint8Array(Math.floor(rand() * 200));
      for (let j = 0; j < frame.length; j++) frame[j] = Math.floor(rand() * 256);
      // Small roots make random bytes reach the deeper reads more often.
      if (frame.length >= 4 && rand() < 0.5) setU32(frame, 0, Math.floor(rand() * frame.length));
      problems.push(check(frame, counts));
    }
    expect(problems.filter((p) => p !== '')).toEqual([]);
    // The corpus exercises every outcome.
    expect(counts.stream).toBeGreaterThan(100);
    expect(counts['unknown-type']).toBeGreaterThan(100);
    expect(counts.malformed).toBeGreaterThan(100);
  });
});
