import { VinQueue } from './vin-queue';

const item = (vin: string, n: number, bytes = 10) => ({ vin, bytes, n });
const sum = (_count: number, bytes: number) => bytes;

describe('VinQueue', () => {
  it('takes ready VINs in order, and keeps a VIN busy until its request is released', () => {
    const q = new VinQueue<ReturnType<typeof item>>();
    q.push(item('A', 1));
    q.push(item('B', 1));
    q.push(item('A', 2));
    expect(q.take(10, 1000, sum).map((i) => `${i.vin}${i.n}`)).toEqual(['A1', 'A2', 'B1']);
    q.push(item('A', 3));
    q.push(item('C', 1));
    // A is in flight: only C may go.
    expect(q.readyRecords).toBe(1);
    expect(q.take(10, 1000, sum).map((i) => `${i.vin}${i.n}`)).toEqual(['C1']);
    expect(q.take(10, 1000, sum)).toEqual([]);
    q.release(['A', 'B']);
    expect(q.take(10, 1000, sum).map((i) => `${i.vin}${i.n}`)).toEqual(['A3']);
  });

  it('a full request leaves the rest of a VIN queued, to go after the request settled', () => {
    const q = new VinQueue<ReturnType<typeof item>>();
    for (let n = 1; n <= 5; n++) q.push(item('A', n));
    q.push(item('B', 1));
    expect(q.take(3, 1000, sum).map((i) => i.n)).toEqual([1, 2, 3]);
    expect(q.take(3, 1000, sum).map((i) => i.vin)).toEqual(['B']);
    expect(q.readyRecords).toBe(0);
    q.release(['A']);
    expect(q.readyRecords).toBe(2);
    expect(q.take(3, 1000, sum).map((i) => i.n)).toEqual([4, 5]);
  });

  it('stops at max bytes, but always takes one record', () => {
    const q = new VinQueue<ReturnType<typeof item>>();
    q.push(item('A', 1, 50));
    q.push(item('B', 1, 50));
    expect(q.take(10, 30, sum)).toHaveLength(1);
    expect(q.take(10, 120, sum)).toHaveLength(1);
    expect(q.readyBytes).toBe(0);
  });
});
