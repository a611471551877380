import { HeldRecords, holdLimit } from './held-records';
import type { SinkRecord } from '../sink';

const record = (txid: string, payload: Uint8Array): SinkRecord => ({
  recordType: 'V',
  vin: 'VIN',
  txid,
  payload,
  metadata: { vin: 'VIN', receivedat: '', timestamp: '0', txid, txtype: 'V', version: '0', device_client_version: '' },
  decoded: undefined,
});

describe('HeldRecords', () => {
  it('keeps copies in arrival order up to its bound, then refuses', () => {
    const held = new HeldRecords(2);
    const buffer = new Uint8Array([1, 2, 3]);
    expect(held.hold(record('a', buffer.subarray(0, 2)), undefined)).toBe(true);
    expect(held.hold(record('b', buffer.subarray(2)), undefined)).toBe(true);
    expect(held.hold(record('c', buffer), undefined)).toBe(false);
    buffer.fill(9); // the batch buffer is reused
    const taken = held.takeAll();
    expect(taken.map((h) => [h.record.txid, [...h.record.payload]])).toEqual([
      ['a', [1, 2]],
      ['b', [3]],
    ]);
    expect(held.size).toBe(0);
  });

  it('is bounded like librdkafka’s queue', () => {
    expect(holdLimit({ 'queue.buffering.max.messages': 500 })).toBe(500);
    expect(holdLimit({ 'queue.buffering.max.messages': '42' })).toBe(42);
    expect(holdLimit({})).toBe(100_000);
  });
});
