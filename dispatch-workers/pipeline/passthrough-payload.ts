/**
 * PROTOCOL.md §5.1 step 6 for a record whose sinks read neither the decoded message nor JSON
 * (protobuf passthrough: Kafka, Kinesis, Pub/Sub, …): the bytes decode → vin overwrite → transforms
 * (§6.3) → encode gives, made without the object model. One pass over the wire bytes checks they
 * are canonical (shared/protobuf/canonical.ts: then decode → encode gives them back unchanged),
 * rewrites the `vin` field, rewrites only the `V` datums whose string the location or
 * scientific-notation transform changes, and copies every other byte.
 *
 * It answers `undefined` for anything it does not prove identical (malformed, out-of-order fields,
 * unknown fields before known ones, NaN, a location string that parses to NaN, an alert time in milliseconds, maps, …): the
 * caller then takes the full path, which gives the same bytes or the same error text.
 */
import { messageTypeByName } from '../../shared/protobuf';
import type { MessageType } from '../../shared/protobuf';
import { WireCursor, canonicalField, canonicalMessage, canonicalScalar, inOrder, unknownFields } from '../../shared/protobuf/canonical';
import { Kind, WIRE_BYTES, WIRE_FIXED32, WIRE_FIXED64, WIRE_VARINT } from '../../shared/protobuf/kinds';
import { decodeUtf8, utf8Length, writeUtf8 } from '../../shared/protobuf/utf8';
import { MILLISECONDS_THRESHOLD } from './transforms/alert-timestamps';
import { parseLocation } from './transforms/location';
import { rewriteScientific } from './transforms/scientific-notation';

export interface Passthrough {
  payload: Uint8Array;
  /** Data entries of a `V` payload, alerts of an `alerts` payload (record-metrics.ts), else 0. */
  signals: number;
}

/** Field numbers (PROTOCOL.md §1): Payload.data, Datum.key, Datum.value, Value.string_value, Value.location_value. */
const DATA = 1;
const DATUM_KEY = 1;
const DATUM_VALUE = 2;
const STRING_VALUE_TAG = (1 << 3) | WIRE_BYTES;
const LOCATION_VALUE_TAG = (7 << 3) | WIRE_BYTES;
/** VehicleAlerts.alerts; VehicleAlert.started_at / ended_at; Timestamp.seconds. */
const ALERTS = 1;
const STARTED_AT = 3;
const ENDED_AT = 4;
const SECONDS = 1;
/** `Field.Location`. */
const LOCATION_KEY = 21;
const VIN_NUMBER: Readonly<Record<string, number>> = { V: 3, alerts: 3, errors: 3, connectivity: 1 };

const NOT_ENCODED = new Uint8Array(0);
const datumType = messageTypeByName('telemetry.vehicle_data.Datum');
const valueType = messageTypeByName('telemetry.vehicle_data.Value');
const TWO_32 = 4294967296;
const MILLISECONDS = Number(MILLISECONDS_THRESHOLD);

/** One cursor for every record (and one for the alert time check inside it). */
const cursor = new WireCursor(NOT_ENCODED);
const alertCursor = new WireCursor(NOT_ENCODED);

/** A replacement of bytes [start, end) of the input. */
interface Edit {
  start: number;
  end: number;
  bytes: Uint8Array;
}

/**
 * The transformed payload of a known record type when it can be made at the wire level, else
 * undefined. Without `payloadNeeded` it only validates and answers an empty payload.
 */
export function passthroughPayload(
  recordType: string,
  type: MessageType,
  payload: Uint8Array,
  deviceId: string,
  payloadNeeded: boolean,
): Passthrough | undefined {
  const vinNumber = VIN_NUMBER[recordType];
  if (vinNumber === undefined || type.oneofs.length !== 0) return undefined;
  const isV = recordType === 'V';
  const isAlerts = recordType === 'alerts';
  const byNumber = type.byNumber;
  const end = payload.length;
  const c = cursor;
  c.reset(payload);
  let edits: Edit[] | undefined;
  let signals = 0;
  let prev = 0;
  let locationSeen = false;
  let vinAt = -1;
  let vinStart = 0;
  let vinEnd = 0;
  /** Where a vin field goes when the input has none: before the first field numbered above it (or unknown). */
  let vinInsertAt = end;
  while (c.pos < end) {
    const fieldStart = c.pos;
    if (!c.tag(end)) return undefined;
    const num = c.lo >>> 3;
    const wt = c.lo & 7;
    const f = num < byNumber.length ? byNumber[num] : undefined;
    if (f === undefined) {
      // Unknown fields: kept, after all known ones.
      c.pos = fieldStart;
      if (!unknownFields(c, type, end)) return undefined;
      if (vinInsertAt === end) vinInsertAt = fieldStart;
      break;
    }
    if (!inOrder(f, prev)) return undefined;
    prev = num;
    if (num > vinNumber && vinInsertAt === end) vinInsertAt = fieldStart;
    if (num === vinNumber) {
      // Replaced whatever it holds, but decode() still checks it.
      if (wt !== WIRE_BYTES || !c.length(end)) return undefined;
      vinAt = fieldStart;
      vinStart = c.pos;
      vinEnd = c.pos + c.lo;
      if (!c.utf8(vinStart, vinEnd)) return undefined;
      c.pos = vinEnd;
    } else if (isV && num === DATA) {
      if (wt !== WIRE_BYTES || !c.length(end)) return undefined;
      const datumEnd = c.pos + c.lo;
      if (!rewriteDatum(c, datumEnd, locationSeen)) return undefined;
      if (datum.location) locationSeen = true;
      if (datum.value !== undefined && payloadNeeded) (edits ??= []).push(datumEdit(payload, fieldStart, datumEnd, datum.value));
      signals++;
    } else if (isAlerts && num === ALERTS) {
      if (wt !== WIRE_BYTES || !c.length(end)) return undefined;
      const alertStart = c.pos;
      const alertEnd = c.pos + c.lo;
      if (!canonicalMessage(c, f.message!, alertEnd) || alertInMilliseconds(payload, alertStart, alertEnd)) return undefined;
      signals++;
    } else if (!canonicalField(c, f, wt, end)) return undefined;
  }
  if (!payloadNeeded) return { payload: NOT_ENCODED, signals };

  const vin = vinBytes(deviceId);
  if (vin === undefined) return undefined; // not encodable: the full path gives encode's error
  if (vinAt >= 0) {
    // An empty vin field (`1a 00`) is dropped: encode omits an empty string.
    if (vin.length === 0 || !sameBytes(payload, vinStart, vinEnd, vin))
      (edits ??= []).push({ start: vinAt, end: vinEnd, bytes: vinField(vinNumber, vin) });
  } else if (vin.length > 0) (edits ??= []).push({ start: vinInsertAt, end: vinInsertAt, bytes: vinField(vinNumber, vin) });
  return { payload: edits === undefined ? payload : applyEdits(payload, edits), signals };
}

/** What rewriteDatum found in the last datum (one object for all: this runs per datum). */
const datum = {
  /** Where the datum's fields start (after its length prefix), and its `value` field's bytes. */
  contentStart: 0,
  valueAt: 0,
  valueEnd: 0,
  /** The new `Value` message bytes, when a transform changes it. */
  value: undefined as Uint8Array | undefined,
  /** It is a Location datum (the location transform looks at the first one only). */
  location: false,
};

/** Checks one Datum (cursor after its length prefix) into `datum`, with its transformed Value if any. */
function rewriteDatum(c: WireCursor, end: number, locationSeen: boolean): boolean {
  const contentStart = c.pos;
  let key = 0;
  let prev = 0;
  let valueAt = -1;
  let valueEnd = -1;
  let value: Uint8Array | undefined;
  while (c.pos < end) {
    const at = c.pos;
    if (!c.tag(end)) return false;
    const num = c.lo >>> 3;
    const wt = c.lo & 7;
    if (num > DATUM_VALUE) {
      // Unknown fields: kept after the known ones, also when the value is rewritten.
      c.pos = at;
      if (!unknownFields(c, datumType, end)) return false;
      break;
    }
    if (num <= prev) return false;
    prev = num;
    if (num === DATUM_KEY) {
      if (wt !== WIRE_VARINT || !canonicalScalar(c, Kind.Enum, end, true)) return false;
      key = c.lo | 0;
    } else if (num === DATUM_VALUE) {
      if (wt !== WIRE_BYTES || !c.length(end)) return false;
      valueAt = at;
      valueEnd = c.pos + c.lo;
      if (c.pos < valueEnd && c.buf[c.pos] === STRING_VALUE_TAG) {
        // The one member is string_value; only unknown fields may follow (another member replaces it).
        c.pos++;
        if (!c.length(valueEnd)) return false;
        const start = c.pos;
        const stop = c.pos + c.lo;
        if (!c.utf8(start, stop)) return false;
        c.pos = stop;
        if (!unknownFields(c, valueType, valueEnd)) return false;
        const transformed = transformString(c, start, stop, key === LOCATION_KEY && !locationSeen);
        if (transformed === null) return false;
        value = transformed;
      } else if (!canonicalMessage(c, valueType, valueEnd)) return false;
    }
  }
  datum.contentStart = contentStart;
  datum.valueAt = valueAt;
  datum.valueEnd = valueEnd;
  datum.value = value;
  datum.location = key === LOCATION_KEY;
  return true;
}

/**
 * The Value a transform makes of string_value bytes [start, end) (a new Value: unknown fields of
 * the old one are dropped, as upstream builds one), undefined when none applies, null when the full
 * path must decide (a coordinate parsed as NaN keeps Go's NaN bits there).
 */
function transformString(c: WireCursor, start: number, end: number, firstLocation: boolean): Uint8Array | undefined | null {
  if (start === end) return undefined;
  if (firstLocation) {
    const loc = parseLocation(decodeUtf8(c.buf, c.text, start, end)!);
    if (loc.ok) {
      if (Number.isNaN(loc.latitude) || Number.isNaN(loc.longitude)) return null;
      return locationValue(loc.latitude, loc.longitude);
    }
  }
  if (!scientificCandidate(c.buf, start, end)) return undefined;
  const out = rewriteScientific(c.text.toString('latin1', start, end));
  return out === undefined ? undefined : stringValue(out);
}

/** Only digits, signs, a point and an exponent letter (one of which is required) can match §6.3's pattern. */
function scientificCandidate(buf: Uint8Array, start: number, end: number): boolean {
  let exponent = false;
  for (let i = start; i < end; i++) {
    const b = buf[i];
    if (b === 0x65 || b === 0x45) exponent = true;
    else if ((b < 0x30 || b > 0x39) && b !== 0x2b && b !== 0x2d && b !== 0x2e) return false;
  }
  return exponent;
}

/** `Value{location_value: {latitude, longitude}}` as encode() writes it: a +0.0 coordinate is omitted. */
function locationValue(latitude: number, longitude: number): Uint8Array {
  const out = new Uint8Array(2 + coordinateSize(latitude) + coordinateSize(longitude));
  out[0] = LOCATION_VALUE_TAG;
  out[1] = out.length - 2;
  writeCoordinate(out, writeCoordinate(out, 2, 0x09, latitude), 0x11, longitude);
  return out;
}

const coordinateSize = (v: number): number => (v === 0 && 1 / v > 0 ? 0 : 9);
const F64 = new Float64Array(1);
const F64_BYTES = new Uint8Array(F64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A double field (tag, 8 bytes little-endian) unless +0.0; returns the position after it. */
function writeCoordinate(out: Uint8Array, at: number, tag: number, v: number): number {
  if (coordinateSize(v) === 0) return at;
  out[at] = tag;
  F64[0] = v;
  for (let i = 0; i < 8; i++) out[at + 1 + i] = F64_BYTES[LITTLE_ENDIAN ? i : 7 - i];
  return at + 9;
}

/** `Value{string_value: s}` for an ASCII `s` (the scientific-notation output). */
function stringValue(s: string): Uint8Array {
  const head = 1 + varintSize(s.length);
  const out = new Uint8Array(head + s.length);
  out[0] = STRING_VALUE_TAG;
  writeVarint(out, 1, s.length);
  for (let i = 0; i < s.length; i++) out[head + i] = s.charCodeAt(i);
  return out;
}

/** The whole datum field [fieldStart, end) again, with its value field (datum.valueAt … valueEnd) replaced by `value`. */
function datumEdit(buf: Uint8Array, fieldStart: number, end: number, value: Uint8Array): Edit {
  const { contentStart, valueAt, valueEnd } = datum;
  const valueField = 1 + varintSize(value.length) + value.length;
  const content = valueAt - contentStart + valueField + (end - valueEnd);
  const out = new Uint8Array(1 + varintSize(content) + content);
  out[0] = (DATA << 3) | WIRE_BYTES;
  let at = writeVarint(out, 1, content);
  out.set(buf.subarray(contentStart, valueAt), at);
  at += valueAt - contentStart;
  out[at] = (DATUM_VALUE << 3) | WIRE_BYTES;
  at = writeVarint(out, at + 1, value.length);
  out.set(value, at);
  out.set(buf.subarray(valueEnd, end), at + value.length);
  return { start: fieldStart, end, bytes: out };
}

/** Whether an alert (canonical bytes [start, end)) has a time the alert timestamp fix rewrites (§6.3). */
function alertInMilliseconds(buf: Uint8Array, start: number, end: number): boolean {
  const c = alertCursor;
  c.reset(buf);
  c.pos = start;
  while (c.pos < end) {
    c.tag(end);
    const num = c.lo >>> 3;
    const wt = c.lo & 7;
    if (wt !== WIRE_BYTES) skip(c, wt, end);
    else {
      c.length(end);
      const stop = c.pos + c.lo;
      if (num === STARTED_AT || num === ENDED_AT) {
        while (c.pos < stop) {
          c.tag(stop);
          if (c.lo === ((SECONDS << 3) | WIRE_VARINT)) {
            c.varint(stop);
            // int64 seconds: negative when the top bit is set.
            if (c.hi < 0x80000000 && c.hi * TWO_32 + c.lo >= MILLISECONDS) return true;
          } else skip(c, c.lo & 7, stop);
        }
      }
      c.pos = stop;
    }
  }
  return false;
}

/** Skips a value of wire type `wt` in bytes already checked canonical. */
function skip(c: WireCursor, wt: number, end: number): void {
  if (wt === WIRE_VARINT) c.varint(end);
  else if (wt === WIRE_FIXED64) c.pos += 8;
  else if (wt === WIRE_FIXED32) c.pos += 4;
  else {
    c.length(end);
    c.pos += c.lo;
  }
}

let lastDeviceId: string | undefined;
let lastVin: Uint8Array | undefined;

/** UTF-8 of the DeviceID (one per session, so the last one is kept), undefined for a lone surrogate. */
function vinBytes(deviceId: string): Uint8Array | undefined {
  if (deviceId === lastDeviceId) return lastVin;
  const n = utf8Length(deviceId);
  const bytes = n < 0 ? undefined : new Uint8Array(n);
  if (bytes !== undefined) writeUtf8(bytes, 0, deviceId);
  lastDeviceId = deviceId;
  lastVin = bytes;
  return bytes;
}

/** The vin field as encode() writes it; nothing for an empty DeviceID (implicit presence). */
function vinField(number: number, vin: Uint8Array): Uint8Array {
  if (vin.length === 0) return NOT_ENCODED;
  const out = new Uint8Array(1 + varintSize(vin.length) + vin.length);
  out[0] = (number << 3) | WIRE_BYTES;
  out.set(vin, writeVarint(out, 1, vin.length));
  return out;
}

function sameBytes(buf: Uint8Array, start: number, end: number, other: Uint8Array): boolean {
  if (end - start !== other.length) return false;
  for (let i = 0; i < other.length; i++) if (buf[start + i] !== other[i]) return false;
  return true;
}

/** The input with `edits` (ascending, non-overlapping) applied. */
function applyEdits(buf: Uint8Array, edits: readonly Edit[]): Uint8Array {
  let size = buf.length;
  for (const e of edits) size += e.bytes.length - (e.end - e.start);
  const out = new Uint8Array(size);
  let from = 0;
  let at = 0;
  for (const e of edits) {
    out.set(buf.subarray(from, e.start), at);
    at += e.start - from;
    out.set(e.bytes, at);
    at += e.bytes.length;
    from = e.end;
  }
  out.set(buf.subarray(from), at);
  return out;
}

function varintSize(n: number): number {
  let size = 1;
  while (n > 0x7f) {
    n >>>= 7;
    size++;
  }
  return size;
}

/** Writes unsigned `n` as a varint at `at`; returns the position after it. */
function writeVarint(out: Uint8Array, at: number, n: number): number {
  while (n > 0x7f) {
    out[at++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  out[at++] = n;
  return at;
}
