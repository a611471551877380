import { readFrame } from './read-frame';
import { buildAck, buildError, writeAck, writeError, writeStream } from './write-frame';
import type { StreamFrameFields } from './write-frame';
import { prng } from '../../test/harness/prng';

function randomBytes(rand: () => number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = Math.floor(rand() * 256);
  return out;
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const EMPTY_FIELDS: StreamFrameFields = {
  senderId: '',
  topic: '',
  txid: '',
  payload: '',
  createdAt: 0,
  messageId: '',
  deviceType: '',
  deviceId: '',
  deliveredAt: 0,
};

describe('writeAck / writeError templates equal the plain builder', () => {
  test('every txid length 0..80 × topic length 0..20 (random bytes), plus lengths past the template span', () => {
    const rand = prng(1);
    const mismatches: string[] = [];
    const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(a, b) === 0;
    for (let txidLength = 0; txidLength <= 80; txidLength++) {
      for (let topicLength = 0; topicLength <= 20; topicLength++) {
        const txid = randomBytes(rand, txidLength);
        const topic = randomBytes(rand, topicLength);
        if (!same(writeAck(txid, topic), buildAck(txid, topic))) mismatches.push(`ACK ${txidLength}/${topicLength}`);
      }
      const txid = randomBytes(rand, txidLength);
      if (!same(writeError(txid), buildError(txid))) mismatches.push(`ERROR ${txidLength}`);
    }
    expect(mismatches).toEqual([]);
    for (const [txidLength, topicLength] of [
      [255, 255],
      [256, 1],
      [1, 256],
      [1000, 3],
    ]) {
      const txid = randomBytes(rand, txidLength);
      const topic = randomBytes(rand, topicLength);
      expect(writeAck(txid, topic)).toEqual(buildAck(txid, topic));
      expect(writeError(txid)).toEqual(buildError(txid));
    }
  });

  test('strings are written as UTF-8 (ASCII fast path and multi-byte)', () => {
    expect(writeAck('été-✓', 'V')).toEqual(buildAck(utf8('été-✓'), utf8('V')));
    expect(writeAck('V', 'été-✓')).toEqual(buildAck(utf8('V'), utf8('été-✓')));
    expect(writeError('🚗')).toEqual(buildError(utf8('🚗')));
    const rand = prng(3);
    const ascii = (n: number): string => String.fromCharCode(...Array.from({ length: n }, () => Math.floor(rand() * 128)));
    for (let n = 0; n < 60; n++) {
      const txid = ascii(n);
      const topic = ascii(n % 13);
      expect(writeAck(txid, topic)).toEqual(buildAck(utf8(txid), utf8(topic)));
      expect(writeError(txid)).toEqual(buildError(utf8(txid)));
    }
  });

  test('frames are independent, compact copies (mutating one does not leak into the next)', () => {
    const first = writeAck('abcd', 'V');
    first.fill(0xff);
    expect(writeAck('abcd', 'V')).toEqual(buildAck(utf8('abcd'), utf8('V')));
    for (const frame of [
      first,
      writeError('x'),
      buildAck(utf8('a'.repeat(300)), utf8('V')),
      writeStream({ ...EMPTY_FIELDS, payload: 'p' }),
    ]) {
      expect(frame.byteOffset).toBe(0);
      expect(frame.buffer.byteLength).toBe(frame.length);
    }
  });

  test('still correct after the template cache overflows and is cleared', () => {
    for (let txidLength = 0; txidLength < 40; txidLength++) {
      for (let topicLength = 0; topicLength < 40; topicLength++) writeAck(new Uint8Array(txidLength), new Uint8Array(topicLength));
    }
    expect(writeAck('1234', 'V')).toEqual(buildAck(utf8('1234'), utf8('V')));
  });

  test('the ACK and ERROR read back with their txid and topic', () => {
    expect(readFrame(writeAck('tx-9', 'alerts'))).toMatchObject({ kind: 'unknown-type', txid: 'tx-9', topic: 'alerts', msgType: 5 });
    expect(readFrame(writeError('tx-9'))).toMatchObject({
      kind: 'stream',
      txid: 'tx-9',
      topic: '',
      payload: utf8('incorrect message format'),
    });
  });
});

describe('writeStream', () => {
  test('round-trips through readFrame (random fields, seeded)', () => {
    const rand = prng(7);
    const text = (): string =>
      Array.from({ length: Math.floor(rand() * 40) }, () => String.fromCharCode(0x20 + Math.floor(rand() * 0x5f))).join('');
    for (let i = 0; i < 200; i++) {
      const fields: StreamFrameFields = {
        senderId: text(),
        topic: text(),
        txid: text(),
        payload: randomBytes(rand, Math.floor(rand() * 300)),
        createdAt: Math.floor(rand() * 2 ** 32),
        messageId: text(),
        deviceType: text(),
        deviceId: text(),
        deliveredAt: BigInt(Math.floor(rand() * 2 ** 32)) * BigInt(Math.floor(rand() * 2 ** 32)),
      };
      expect(readFrame(writeStream(fields))).toEqual({
        kind: 'stream',
        txid: fields.txid,
        topic: fields.topic,
        messageId: fields.messageId,
        senderId: fields.senderId,
        deviceType: fields.deviceType,
        deviceId: fields.deviceId,
        deliveredAtEpochMs: fields.deliveredAt,
        createdAt: fields.createdAt,
        payload: fields.payload,
        txidBytes: utf8(fields.txid as string),
        topicBytes: utf8(fields.topic as string),
      });
    }
  });

  test('extremes: uint32/uint64 maxima, zeros, multi-byte UTF-8, bytes equal strings', () => {
    const base: StreamFrameFields = {
      senderId: 'vehicle_device.✓',
      topic: 'connectivity',
      txid: '0b8e5ef2-43f2-4f7b-8d4a-8a6a1b0e9c11',
      payload: new Uint8Array([1, 2, 3]),
      createdAt: 0xffffffff,
      messageId: '',
      deviceType: 'vehicle_device',
      deviceId: 'ü',
      deliveredAt: 0xffffffffffffffffn,
    };
    expect(readFrame(writeStream(base))).toMatchObject({
      createdAt: 0xffffffff,
      deliveredAtEpochMs: 0xffffffffffffffffn,
      senderId: 'vehicle_device.✓',
      deviceId: 'ü',
    });
    expect(readFrame(writeStream({ ...base, createdAt: 0, deliveredAt: 0 }))).toMatchObject({ createdAt: 0, deliveredAtEpochMs: 0n });
    // uint32/uint64 wrap like Go's conversions.
    expect(readFrame(writeStream({ ...base, createdAt: -1, deliveredAt: -1n }))).toMatchObject({
      createdAt: 0xffffffff,
      deliveredAtEpochMs: 0xffffffffffffffffn,
    });
    expect(readFrame(writeStream({ ...base, deliveredAt: 1700000000123 }))).toMatchObject({ deliveredAtEpochMs: 1700000000123n });
    const asBytes = {
      ...base,
      senderId: utf8(base.senderId as string),
      topic: utf8('connectivity'),
      txid: utf8(base.txid as string),
      deviceId: utf8('ü'),
    };
    expect(writeStream(asBytes)).toEqual(writeStream(base));
  });

  test('an absent-looking (empty) vector is still written, 4-byte aligned with its NUL', () => {
    const frame = writeStream({
      senderId: '',
      topic: '',
      txid: '',
      payload: '',
      createdAt: 0,
      messageId: '',
      deviceType: '',
      deviceId: '',
      deliveredAt: 0,
    });
    expect(frame.length % 4).toBe(0);
    expect(readFrame(frame)).toMatchObject({ kind: 'stream', txid: '', topic: '', payload: new Uint8Array(0) });
  });
});
