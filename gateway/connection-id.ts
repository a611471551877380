/**
 * The socket UUID (PROTOCOL.md §2.5): the client's `X-TXID` header when it parses as a UUID the
 * way Go's google/uuid Parse does, normalised to lowercase 8-4-4-4-12; otherwise a random v4 UUID.
 */
import { randomUUID } from 'node:crypto';

/** Positions of the 16 hex pairs in the 36-char form (hyphens at 8, 13, 18, 23). */
const PAIR_STARTS = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
const HYPHENS = [8, 13, 18, 23];
const HEX = /^[0-9a-fA-F]{32}$/;

export function connectionIdFromHeader(xTxid: string | undefined): string {
  return parseUuid(xTxid ?? '') ?? randomUUID();
}

/** Accepted forms (§2.5); version and variant bits are not checked. */
export function parseUuid(value: string): string | undefined {
  // Go measures and indexes bytes: work on one char per UTF-8 byte so lengths agree.
  let s = Buffer.byteLength(value, 'utf8') === value.length ? value : Buffer.from(value, 'utf8').toString('latin1');
  switch (s.length) {
    case 36:
      break;
    case 45: // urn:uuid:<36>, prefix case-insensitive
      if (s.slice(0, 9).toLowerCase() !== 'urn:uuid:') return undefined;
      s = s.slice(9);
      break;
    case 38: // {<36>}: upstream drops the first character and never looks at either brace
      s = s.slice(1, 37);
      break;
    case 32:
      return HEX.test(s) ? canonical(s.toLowerCase()) : undefined;
    default:
      return undefined;
  }
  for (const at of HYPHENS) if (s[at] !== '-') return undefined;
  const hex = PAIR_STARTS.map((at) => s.slice(at, at + 2)).join('');
  return HEX.test(hex) ? canonical(hex.toLowerCase()) : undefined;
}

function canonical(hex32: string): string {
  return `${hex32.slice(0, 8)}-${hex32.slice(8, 12)}-${hex32.slice(12, 16)}-${hex32.slice(16, 20)}-${hex32.slice(20)}`;
}
