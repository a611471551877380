/**
 * google.protobuf.Timestamp text forms: protojson RFC 3339 with 0/3/6/9 fraction digits and range
 * checks (PROTOCOL.md §6.5), and Go `time.RFC3339` seconds form used by the logger/MQTT (§10.5, §10.7).
 */
import type { Timestamp } from './types';

/** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z in Unix seconds: protojson's valid range. */
export const MIN_JSON_SECONDS = -62135596800n;
export const MAX_JSON_SECONDS = 253402300799n;

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** `YYYY-MM-DDTHH:MM:SS` (UTC) for any int64 Unix seconds, proleptic Gregorian calendar. */
export function civilDateTime(seconds: bigint): string {
  let days = seconds / 86400n;
  let rem = seconds % 86400n;
  if (rem < 0n) {
    rem += 86400n;
    days -= 1n;
  }
  // Days → civil date (Hinnant's days_from_civil inverse); |days| < 2^47 so Number is exact.
  const z = Number(days) + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const secs = Number(rem);
  const yearText = year < 0 ? `-${pad(-year, 4)}` : pad(year, 4);
  return `${yearText}-${pad(month, 2)}-${pad(day, 2)}T${pad(Math.floor(secs / 3600), 2)}:${pad(Math.floor(secs / 60) % 60, 2)}:${pad(secs % 60, 2)}`;
}

/** Unix seconds of a timestamp after folding out-of-range nanos into seconds (Go `AsTime().Unix()`). */
export function normalizedSeconds(ts: Timestamp): bigint {
  // BigInt(): tolerate hand-built timestamps that use a number for seconds.
  return BigInt(ts.seconds) + BigInt(Math.floor(ts.nanos / 1e9));
}

/** Go `time.RFC3339` of the timestamp (no fraction); unset ⇒ the Unix epoch. */
export function rfc3339Seconds(ts: Timestamp | undefined): string {
  return `${civilDateTime(ts ? normalizedSeconds(ts) : 0n)}Z`;
}

/** protojson text of a Timestamp (without quotes), or an error string when out of range. */
export function timestampJson(ts: Timestamp): { ok: true; text: string } | { ok: false; error: string } {
  const seconds = BigInt(ts.seconds);
  const nanos = ts.nanos;
  if (seconds < MIN_JSON_SECONDS || seconds > MAX_JSON_SECONDS) {
    return { ok: false, error: `proto: google.protobuf.Timestamp: seconds out of range ${seconds}` };
  }
  if (nanos < 0 || nanos > 999999999) {
    return { ok: false, error: `proto: google.protobuf.Timestamp: nanos out of range ${nanos}` };
  }
  let frac = '';
  if (nanos !== 0) {
    if (nanos % 1000000 === 0) frac = `.${pad(nanos / 1000000, 3)}`;
    else if (nanos % 1000 === 0) frac = `.${pad(nanos / 1000, 6)}`;
    else frac = `.${pad(nanos, 9)}`;
  }
  return { ok: true, text: `${civilDateTime(seconds)}${frac}Z` };
}
