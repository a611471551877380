/**
 * The frames of golden-vectors.json ("frames"), byte-exact (PROTOCOL.md §4.4, §4.5). The hex is
 * embedded so the test runs without the spec folder; when the spec folder is present the embedded
 * copy is checked against it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { readFrame } from './read-frame';
import { buildAck, buildError, writeAck, writeError, writeStream } from './write-frame';

const GOLDEN = {
  ack_txid_1234_topic_V:
    '1400000000000e001800140010000f00080004000e000000140000002c000000000000051000000014000000000000000000000001000000560000000400000031323334000000000000000000000000',
  ack_empty_txid_empty_topic:
    '1400000000000e001800140010000f00080004000e00000014000000280000000000000510000000140000000000000000000000000000000000000000000000000000000000000000000000',
  ack_integration:
    '1400000000000e001800140010000f00080004000e000000140000003c0000000000000510000000140000000000000000000000010000005600000015000000696e746567726174696f6e2d746573742d747869640000000000000000000000',
  error_txid_1234:
    '1400000000000e001800140010000f00080004000e000000140000003800000000000004100000001400000000000000000000000000000000000000040000003132333400000e001400000010000c00080004000e000000100000001400000018000000340000000000000000000000000000000000000018000000696e636f7272656374206d65737361676520666f726d6174000000000000000000000000',
  error_empty_txid:
    '1400000000000e001800140010000f00080004000e0000001400000034000000000000041000000014000000000000000000000000000000000000000000000000000e001400000010000c00080004000e000000100000001400000018000000340000000000000000000000000000000000000018000000696e636f7272656374206d65737361676520666f726d6174000000000000000000000000',
  inbound_stream_example:
    '1400000000000e001800140010000f00080004000e0000001400000040000000000000041400000018000000050000006d73672d31000000010000005600000006000000747869642d310000100024001c0020001800140010000400100000007b68e5cf8b010000000000001400000020000000300000000100000030000000080000006465766963652d31000000000e00000076656869636c655f6465766963650000020000000a0000001700000076656869636c655f6465766963652e6465766963652d3100',
} as const;

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function unhex(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'hex'));
}

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('golden frames', () => {
  const specFile = resolve(process.env.FLEET_SPEC_DIR ?? resolve(__dirname, '../../../shared/spec'), 'golden-vectors.json');
  (existsSync(specFile) ? test : test.skip)('the embedded hex equals golden-vectors.json', () => {
    const frames = JSON.parse(readFileSync(specFile, 'utf8')).frames as Record<string, { hex: string }>;
    expect(Object.keys(frames).sort()).toEqual(Object.keys(GOLDEN).sort());
    for (const [name, value] of Object.entries(GOLDEN)) expect(`${name}:${frames[name].hex}`).toBe(`${name}:${value}`);
  });

  test.each([
    ['ack_txid_1234_topic_V', '1234', 'V'],
    ['ack_empty_txid_empty_topic', '', ''],
    ['ack_integration', 'integration-test-txid', 'V'],
  ] as const)('ACK %s', (name, txid, topic) => {
    expect(hex(writeAck(txid, topic))).toBe(GOLDEN[name]);
    expect(hex(writeAck(ascii(txid), ascii(topic)))).toBe(GOLDEN[name]);
    expect(hex(buildAck(ascii(txid), ascii(topic)))).toBe(GOLDEN[name]);
    // Twice: the second call is served by the cached template.
    expect(hex(writeAck(txid, topic))).toBe(GOLDEN[name]);
  });

  test.each([
    ['error_txid_1234', '1234'],
    ['error_empty_txid', ''],
  ] as const)('ERROR %s', (name, txid) => {
    expect(hex(writeError(txid))).toBe(GOLDEN[name]);
    expect(hex(buildError(ascii(txid)))).toBe(GOLDEN[name]);
    expect(hex(writeError(txid))).toBe(GOLDEN[name]);
  });

  test('inbound_stream_example is what writeStream builds', () => {
    const frame = writeStream({
      senderId: 'vehicle_device.device-1',
      topic: 'V',
      txid: 'txid-1',
      payload: unhex('0a00'),
      createdAt: 1,
      messageId: 'msg-1',
      deviceType: 'vehicle_device',
      deviceId: 'device-1',
      deliveredAt: 1700000000123n,
    });
    expect(hex(frame)).toBe(GOLDEN.inbound_stream_example);
  });

  test('readFrame of inbound_stream_example gives the documented fields', () => {
    const frame = unhex(GOLDEN.inbound_stream_example);
    const parsed = readFrame(frame);
    expect(parsed).toEqual({
      kind: 'stream',
      txid: 'txid-1',
      topic: 'V',
      messageId: 'msg-1',
      senderId: 'vehicle_device.device-1',
      deviceType: 'vehicle_device',
      deviceId: 'device-1',
      deliveredAtEpochMs: 1700000000123n,
      createdAt: 1,
      payload: unhex('0a00'),
      txidBytes: ascii('txid-1'),
      topicBytes: ascii('V'),
    });
    if (parsed.kind !== 'stream') throw new Error('unreachable');
    // The payload is a view into the frame, not a copy.
    expect(parsed.payload.buffer).toBe(frame.buffer);
  });

  test('readFrame of the golden ACK and ERROR frames', () => {
    expect(readFrame(unhex(GOLDEN.ack_integration))).toMatchObject({
      kind: 'unknown-type',
      txid: 'integration-test-txid',
      topic: 'V',
      msgType: 5,
    });
    expect(readFrame(unhex(GOLDEN.ack_empty_txid_empty_topic))).toMatchObject({ kind: 'unknown-type', txid: '', topic: '', msgType: 5 });
    expect(readFrame(unhex(GOLDEN.error_txid_1234))).toMatchObject({
      kind: 'stream',
      txid: '1234',
      topic: '',
      senderId: '',
      deviceType: '',
      deviceId: '',
      messageId: '',
      createdAt: 0,
      deliveredAtEpochMs: 0n,
      payload: ascii('incorrect message format'),
    });
  });
});
