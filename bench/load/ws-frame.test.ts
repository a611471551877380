import { OPCODE_BINARY, OPCODE_CLOSE, ServerFrameReader, maskedBinaryFrame } from './ws-frame';

function unmask(frame: Buffer): { length: number; payload: Buffer } {
  let length = frame[1] & 0x7f;
  let at = 2;
  if (length === 126) {
    length = frame.readUInt16BE(2);
    at = 4;
  } else if (length === 127) {
    length = Number(frame.readBigUInt64BE(2));
    at = 10;
  }
  const mask = frame.subarray(at, at + 4);
  const payload = Buffer.from(frame.subarray(at + 4));
  for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i & 3];
  return { length, payload };
}

function serverFrame(opcode: number, payload: Buffer): Buffer {
  const n = payload.length;
  const header = n < 126 ? Buffer.from([0x80 | opcode, n]) : Buffer.from([0x80 | opcode, 126, n >> 8, n & 0xff]);
  return Buffer.concat([header, payload]);
}

describe('client frames (RFC 6455 §5.2)', () => {
  it.each([0, 5, 125, 126, 1000, 65535, 65536])('masks a %i-byte binary payload with the right length encoding', (n) => {
    const payload = Buffer.alloc(n, 0xab);
    const frame = maskedBinaryFrame(payload, Buffer.from([1, 2, 3, 4]));
    expect(frame[0]).toBe(0x82);
    expect(frame[1] & 0x80).toBe(0x80);
    const { length, payload: back } = unmask(frame);
    expect(length).toBe(n);
    expect(back.equals(payload)).toBe(true);
  });
});

describe('ServerFrameReader', () => {
  it('splits frames across and within chunks, one byte at a time included', () => {
    const a = serverFrame(OPCODE_BINARY, Buffer.from('first'));
    const b = serverFrame(OPCODE_BINARY, Buffer.alloc(300, 7));
    const c = serverFrame(OPCODE_CLOSE, Buffer.from([0x03, 0xe8]));
    const stream = Buffer.concat([a, b, c]);
    for (const chunkSize of [1, 3, 64, stream.length]) {
      const reader = new ServerFrameReader();
      const seen: [number, string][] = [];
      for (let i = 0; i < stream.length; i += chunkSize) {
        reader.push(stream.subarray(i, i + chunkSize), (op, bytes, start, end) =>
          seen.push([op, bytes.subarray(start, end).toString('hex')]),
        );
      }
      expect(seen).toEqual([
        [OPCODE_BINARY, Buffer.from('first').toString('hex')],
        [OPCODE_BINARY, Buffer.alloc(300, 7).toString('hex')],
        [OPCODE_CLOSE, '03e8'],
      ]);
    }
  });
});
