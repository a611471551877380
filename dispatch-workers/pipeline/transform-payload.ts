/**
 * PROTOCOL.md §5.1 steps 6–7 for one record: decode the four known record types, overwrite `vin`
 * with the certificate DeviceID, apply the type's transforms (§6.3), then re-encode (§6.4) or, with
 * `transmit_decoded_records`, produce protojson (§6.5). Other record types pass through untouched,
 * except that JSON mode turns their payload into `{}` (S6). Without `payloadNeeded` (no sink reads
 * the payload, no metrics count it) the known types skip the protobuf re-encode, which cannot fail
 * after a successful decode, and carry an empty payload. JSON is always built: it can fail (a
 * Timestamp out of range), and that failure is the vehicle's ERROR reply whatever the sinks.
 * Without `decodedNeeded` (no sink renders from the decoded message) and without JSON, the bytes
 * are made at the wire level when passthrough-payload.ts can (same bytes, same replies), and
 * `decoded` is undefined.
 */
import { decode, payloadTypeFor, toJson, tryEncode } from '../../shared/protobuf';
import type { DecodedMessage, Payload, VehicleAlerts } from '../../shared/protobuf';
import { passthroughPayload } from './passthrough-payload';
import { transformAlertTimestamps } from './transforms/alert-timestamps';
import { transformLocation } from './transforms/location';
import { transformScientificNotation } from './transforms/scientific-notation';

export type TransformResult =
  { ok: true; payload: Uint8Array; decoded: DecodedMessage | undefined; signals: number } | { ok: false; error: string };

/** The JSON of a record that has no decoded message (S6). */
const EMPTY_JSON = new Uint8Array([0x7b, 0x7d]);
const utf8 = new TextEncoder();
const NOT_ENCODED = new Uint8Array(0);

export function transformPayload(
  recordType: string,
  payload: Uint8Array,
  deviceId: string,
  transmitDecoded: boolean,
  payloadNeeded = true,
  decodedNeeded = true,
): TransformResult {
  const type = payloadTypeFor(recordType);
  if (type === undefined) {
    return { ok: true, payload: transmitDecoded ? EMPTY_JSON.slice() : payload, decoded: undefined, signals: 0 };
  }
  if (!decodedNeeded && !transmitDecoded) {
    const passed = passthroughPayload(recordType, type, payload, deviceId, payloadNeeded);
    if (passed !== undefined) return { ok: true, payload: passed.payload, decoded: undefined, signals: passed.signals };
  }
  const decoded = decode(type, payload);
  if (!decoded.ok) return decoded;
  const message = decoded.message;
  message.vin = deviceId;
  let signals = 0;
  if (recordType === 'V') {
    const p = message as Payload;
    transformLocation(p);
    transformScientificNotation(p);
    signals = p.data.length;
  } else if (recordType === 'alerts') {
    const a = message as VehicleAlerts;
    transformAlertTimestamps(a);
    signals = a.alerts.length;
  }
  if (!payloadNeeded && !transmitDecoded) return { ok: true, payload: NOT_ENCODED, decoded: message, signals };
  if (transmitDecoded) {
    // Re-encoding cannot fail after a successful decode (strings were validated), so only JSON is built.
    const json = toJson(type, message);
    if (!json.ok) return json;
    return { ok: true, payload: utf8.encode(json.json), decoded: message, signals };
  }
  const encoded = tryEncode(type, message);
  if (!encoded.ok) return encoded;
  return { ok: true, payload: encoded.bytes, decoded: message, signals };
}
