/**
 * The MQTT messages of one record (PROTOCOL.md §10.5): topics under `<topic_base>/<VIN>/…` and Go
 * `encoding/json` payloads, built from the decoded record. Pure: no I/O.
 *
 * A value Go cannot encode (NaN, ±Inf) stops the building, as upstream's loop does: the messages
 * built before it are still published, and `error` says why the rest is missing.
 */
import { AudienceEnum, ConnectivityEventEnum, FieldEnum, valueMemberEnum } from '../../../shared/protobuf';
import { rfc3339Seconds } from '../../../shared/protobuf';
import type {
  DecodedMessage,
  Doors,
  Payload,
  TireLocation,
  Timestamp,
  Value,
  VehicleAlert,
  VehicleAlerts,
  VehicleConnectivity,
  VehicleErrors,
} from '../../../shared/protobuf';
import { GoJsonError, goFloat32, goFloat64, goObject, goString } from './go-json';

export interface MqttMessage {
  topic: string;
  /** JSON text (Go encoding/json). */
  json: string;
}

export type MqttMessages =
  | { ok: true; messages: MqttMessage[] }
  /** `messages`: built before the failure (still published). */
  | { ok: false; messages: MqttMessage[]; error: string; unknownType?: true };

/**
 * `Value` members rendered by upstream's explicit switch: enum name, unknown numbers as the number
 * in a string. Every other enum member goes through generic reflection: unknown ⇒ a JSON number.
 */
const NAMED_ENUM_MEMBERS = new Set([
  'shift_state_value',
  'lane_assist_level_value',
  'scheduled_charging_mode_value',
  'sentry_mode_state_value',
  'speed_assist_level_value',
  'bms_state_value',
  'buckle_status_value',
  'car_type_value',
  'charge_port_value',
  'charge_port_latch_value',
  'drive_inverter_state_value',
  'hvil_status_value',
  'window_state_value',
  'seat_fold_position_value',
  'tractor_air_status_value',
  'follow_distance_value',
  'forward_collision_sensitivity_value',
  'guest_mode_mobile_access_value',
  'trailer_air_status_value',
  'detailed_charge_state_value',
  'sunroof_installed_state_value',
  'turn_signal_state_value',
  'media_status_value',
]);

const TIRE_KEYS: readonly (keyof TireLocation & string)[] = [
  'front_left',
  'front_right',
  'rear_left',
  'rear_right',
  'semi_middle_axle_left_2',
  'semi_middle_axle_right_2',
  'semi_rear_axle_left',
  'semi_rear_axle_right',
  'semi_rear_axle_left_2',
  'semi_rear_axle_right_2',
];
const DOOR_KEYS: readonly (keyof Doors & string)[] = [
  'DriverFront',
  'DriverRear',
  'PassengerFront',
  'PassengerRear',
  'TrunkFront',
  'TrunkRear',
];

/** Go's `%02d`. */
const twoDigits = (n: number): string => (n >= 0 && n < 10 ? `0${n}` : String(n));

/** JSON of one datum value (§10.5 "Datum value mapping"); a datum without a value is `null` (S11, D7). */
export function datumValueJson(value: Value | undefined): string {
  if (value === undefined) return 'null';
  const v = value.value;
  if (v === undefined) return '{}';
  switch (v.case) {
    case 'string_value':
      return goString(v.value);
    case 'int_value':
      return String(v.value);
    case 'long_value':
      return v.value.toString();
    case 'float_value':
      return goFloat32(v.value);
    case 'double_value':
      return goFloat64(v.value);
    case 'boolean_value':
      return v.value ? 'true' : 'false';
    case 'invalid':
      return 'null';
    case 'location_value':
      return `{"latitude":${goFloat64(v.value.latitude)},"longitude":${goFloat64(v.value.longitude)}}`;
    case 'door_value':
      return `{${DOOR_KEYS.map((k) => `"${k}":${v.value[k] === true}`).join(',')}}`;
    case 'time_value':
      return `"${twoDigits(v.value.hour)}:${twoDigits(v.value.minute)}:${twoDigits(v.value.second)}"`;
    case 'tire_location_value':
      return goObject(TIRE_KEYS.filter((k) => v.value[k] === true).map((k) => [k, 'true'] as const));
    default: {
      const name = valueMemberEnum(v.case)?.nameOf.get(v.value);
      if (name !== undefined) return goString(name);
      return NAMED_ENUM_MEMBERS.has(v.case) ? `"${v.value}"` : String(v.value);
    }
  }
}

/** An enum's Go `String()`: the name, or the number in decimal. */
const enumText = (names: ReadonlyMap<number, string>, n: number): string => names.get(n) ?? String(n);

const isSet = (ts: Timestamp | undefined): ts is Timestamp => ts !== undefined;

function alertJson(a: VehicleAlert): string {
  const members: [string, string][] = [
    ['Audiences', a.audiences.length === 0 ? 'null' : `[${a.audiences.map((n) => goString(enumText(AudienceEnum.nameOf, n))).join(',')}]`],
  ];
  if (isSet(a.ended_at)) members.push(['EndedAt', goString(rfc3339Seconds(a.ended_at))]);
  if (isSet(a.started_at)) members.push(['StartedAt', goString(rfc3339Seconds(a.started_at))]);
  return goObject(members);
}

/** Seconds then nanos, for "strictly later wins". */
function later(a: Timestamp, b: Timestamp): boolean {
  const as = BigInt(a.seconds);
  const bs = BigInt(b.seconds);
  return as > bs || (as === bs && a.nanos > b.nanos);
}

function vehicleData(base: string, payload: Payload, out: MqttMessage[]): void {
  // Duplicate keys: the last value wins, published once (at the key's first position).
  const last = new Map<number, Value | undefined>();
  for (const d of payload.data) last.set(d.key, d.value);
  for (const [key, value] of last) {
    out.push({ topic: `${base}/v/${FieldEnum.nameOf.get(key) ?? String(key)}`, json: datumValueJson(value) });
  }
}

function alerts(base: string, payload: VehicleAlerts, out: MqttMessage[]): void {
  const byName = new Map<string, VehicleAlert[]>();
  for (const a of payload.alerts) {
    const list = byName.get(a.name);
    if (list === undefined) byName.set(a.name, [a]);
    else list.push(a);
  }
  for (const [name, list] of byName) {
    let current: VehicleAlert | undefined;
    for (const a of list) if (isSet(a.started_at) && (current === undefined || later(a.started_at, current.started_at!))) current = a;
    if (current !== undefined) out.push({ topic: `${base}/alerts/${name}/current`, json: alertJson(current) });
    out.push({ topic: `${base}/alerts/${name}/history`, json: `[${list.map(alertJson).join(',')}]` });
  }
}

function errors(base: string, payload: VehicleErrors, out: MqttMessage[]): void {
  for (const e of payload.errors) {
    const tags = Object.entries(e.tags);
    const members: [string, string][] = [
      ['Body', goString(e.body)],
      ['Tags', tags.length === 0 ? 'null' : goObject(tags.map(([k, v]) => [k, goString(v)] as const))],
    ];
    if (isSet(e.created_at)) members.push(['CreatedAt', goString(rfc3339Seconds(e.created_at))]);
    out.push({ topic: `${base}/errors/${e.name}`, json: goObject(members) });
  }
}

function connectivity(base: string, c: VehicleConnectivity, out: MqttMessage[]): void {
  out.push({
    topic: `${base}/connectivity`,
    json:
      `{"ConnectionId":${goString(c.connection_id)},"CreatedAt":${goString(rfc3339Seconds(c.created_at))},` +
      `"Status":${goString(enumText(ConnectivityEventEnum.nameOf, c.status))}}`,
  });
}

/** The messages of a record, in the order they are published. Never throws. */
export function mqttMessages(topicBase: string, vin: string, recordType: string, decoded: DecodedMessage | undefined): MqttMessages {
  const base = `${topicBase}/${vin}`;
  const messages: MqttMessage[] = [];
  try {
    switch (decoded === undefined ? '' : recordType) {
      case 'V':
        vehicleData(base, decoded as Payload, messages);
        break;
      case 'alerts':
        alerts(base, decoded as VehicleAlerts, messages);
        break;
      case 'errors':
        errors(base, decoded as VehicleErrors, messages);
        break;
      case 'connectivity':
        connectivity(base, decoded as VehicleConnectivity, messages);
        break;
      default:
        return { ok: false, messages, error: `unknown payload type ${recordType}`, unknownType: true };
    }
  } catch (error) {
    if (error instanceof GoJsonError) return { ok: false, messages, error: error.message };
    throw error;
  }
  return { ok: true, messages };
}
