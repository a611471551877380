/**
 * PutRecords request limits (AWS Kinesis API reference, PutRecords): at most 500 records per
 * request, each record up to 1 MiB and the whole request up to 5 MiB, partition keys included.
 * Sizes here are data bytes plus the UTF-8 bytes of the partition key.
 */
export interface PutRecordsLimits {
  readonly maxRecords: number;
  readonly maxRequestBytes: number;
  readonly maxRecordBytes: number;
}

export const PUT_RECORDS_LIMITS: PutRecordsLimits = Object.freeze({
  maxRecords: 500,
  maxRequestBytes: 5 * 1024 * 1024,
  maxRecordBytes: 1024 * 1024,
});

/** What one entry counts against the limits. */
export function entrySize(dataBytes: number, partitionKey: string): number {
  return dataBytes + Buffer.byteLength(partitionKey, 'utf8');
}

/** Whether one more entry of `size` fits a request that already holds `count` entries of `bytes`. */
export function fitsRequest(count: number, bytes: number, size: number, limits: PutRecordsLimits = PUT_RECORDS_LIMITS): boolean {
  return count < limits.maxRecords && bytes + size <= limits.maxRequestBytes;
}

/**
 * Splits entries (in order) into consecutive requests that respect the limits; returns each
 * request's length. An entry above `maxRecordBytes` is refused before it is queued, so none is
 * expected here; if one came, it would go alone.
 */
export function splitRequests(sizes: readonly number[], limits: PutRecordsLimits = PUT_RECORDS_LIMITS): number[] {
  const lengths: number[] = [];
  let count = 0;
  let bytes = 0;
  for (const size of sizes) {
    if (count > 0 && !fitsRequest(count, bytes, size, limits)) {
      lengths.push(count);
      count = 0;
      bytes = 0;
    }
    count++;
    bytes += size;
  }
  if (count > 0) lengths.push(count);
  return lengths;
}
