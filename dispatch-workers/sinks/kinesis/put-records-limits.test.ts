import { PUT_RECORDS_LIMITS, entrySize, fitsRequest, splitRequests } from './put-records-limits';

const MiB = 1024 * 1024;

describe('PutRecords limits: 500 records, 5 MiB per request, 1 MiB per record', () => {
  it('counts the partition key in UTF-8 bytes', () => {
    expect(entrySize(100, '5YJ3E1EA7KF000001')).toBe(117);
    expect(entrySize(0, 'é')).toBe(2);
  });

  it('splits at 500 records', () => {
    expect(splitRequests(new Array<number>(1201).fill(10))).toEqual([500, 500, 201]);
    expect(splitRequests(new Array<number>(500).fill(10))).toEqual([500]);
  });

  it('splits at 5 MiB, an entry landing exactly on the limit still fits', () => {
    // Five entries of exactly 1 MiB fill one request; the sixth starts the next.
    expect(splitRequests(new Array<number>(6).fill(MiB))).toEqual([5, 1]);
    // 1 MiB - 1 byte entries: five fit (5 MiB - 5), a sixth would exceed.
    expect(splitRequests(new Array<number>(11).fill(MiB - 1))).toEqual([5, 5, 1]);
    expect(splitRequests([4 * MiB, MiB, 1])).toEqual([2, 1]);
  });

  it('mixes both limits: many small entries and a few large ones', () => {
    const sizes = [...new Array<number>(499).fill(100), 900_000, ...new Array<number>(5).fill(MiB)];
    // 499 small + the 900 kB one make 500 records; the five 1 MiB entries fill the next request.
    expect(splitRequests(sizes)).toEqual([500, 5]);
  });

  it('keeps the order: requests are consecutive runs', () => {
    const lengths = splitRequests([MiB, 10, MiB, MiB, MiB, MiB, 10]);
    expect(lengths.reduce((a, b) => a + b, 0)).toBe(7);
    expect(lengths).toEqual([5, 2]);
  });

  it('fitsRequest answers for the next entry', () => {
    expect(fitsRequest(499, 0, 1)).toBe(true);
    expect(fitsRequest(500, 0, 1)).toBe(false);
    expect(fitsRequest(1, 5 * MiB - 10, 10)).toBe(true);
    expect(fitsRequest(1, 5 * MiB - 10, 11)).toBe(false);
    expect(PUT_RECORDS_LIMITS.maxRecordBytes).toBe(MiB);
  });

  it('returns nothing for nothing', () => {
    expect(splitRequests([])).toEqual([]);
  });
});
