/**
 * The `data` field of the logger sink's `record_payload` line (PROTOCOL.md §10.7), built from the
 * decoded record. Skipped data produce events the sink logs; nothing here throws on odd input (D7).
 */
import {
  AudienceEnum,
  ConnectivityEventEnum,
  FieldEnum,
  float32Shortest,
  normalizedSeconds,
  rfc3339Seconds,
  valueMemberEnum,
} from '../../../shared/protobuf';
import { primitiveJsonText, sortedJsonText } from '../../../shared/log';
import type {
  DecodedMessage,
  Doors,
  Payload,
  TireLocation,
  Time,
  Timestamp,
  ValueOneof,
  VehicleAlerts,
  VehicleConnectivity,
  VehicleErrors,
} from '../../../shared/protobuf';

export interface LoggerEvent {
  msg: 'unknown_payload_data_type' | 'unknown_payload_value_data_type';
  fields: Record<string, string>;
}

export interface LoggerRender {
  /** renderLoggerData: the `data` field's value. */
  data?: unknown;
  /** renderLoggerJson: the `data` field's JSON text instead. */
  dataJson?: string;
  events: LoggerEvent[];
  error?: string;
}

/** Verbose-mode wrapper keys per `Value` member (§10.7 table); `charging_value` has none and is skipped. */
const TYPE_KEYS: Record<string, string | undefined> = {
  string_value: 'stringValue',
  int_value: 'intValue',
  long_value: 'longValue',
  float_value: 'floatValue',
  double_value: 'doubleValue',
  boolean_value: 'booleanValue',
  location_value: 'locationValue',
  shift_state_value: 'shiftStateValue',
  invalid: 'invalid',
  lane_assist_level_value: 'laneAssistLevel',
  scheduled_charging_mode_value: 'scheduledChargingMode',
  sentry_mode_state_value: 'sentryModeState',
  speed_assist_level_value: 'speedAssistLevel',
  bms_state_value: 'bmsState',
  buckle_status_value: 'buckleStatus',
  car_type_value: 'carType',
  charge_port_value: 'chargePort',
  charge_port_latch_value: 'chargePortLatch',
  door_value: 'doorValue',
  drive_inverter_state_value: 'driveInverterState',
  hvil_status_value: 'hvilStatus',
  window_state_value: 'windowState',
  seat_fold_position_value: 'seatFoldPosition',
  tractor_air_status_value: 'tractorAirStatus',
  follow_distance_value: 'followDistance',
  forward_collision_sensitivity_value: 'forwardCollisionSensitivity',
  guest_mode_mobile_access_value: 'guestModeMobileAccess',
  trailer_air_status_value: 'trailerAirStatus',
  time_value: 'time',
  detailed_charge_state_value: 'detailedChargeState',
  hvac_auto_mode_value: 'hvacAutoMode',
  cabin_overheat_protection_mode_value: 'cabinOverheatProtectionMode',
  cabin_overheat_protection_temperature_limit_value: 'cabinOverheatProtectionTemperatureLimit',
  defrost_mode_value: 'defrostMode',
  climate_keeper_mode_value: 'climateKeeperMode',
  hvac_power_value: 'hvacPower',
  tire_location_value: 'tireLocation',
  fast_charger_value: 'fastChargerType',
  cable_type_value: 'chargingCableType',
  tonneau_tent_mode_value: 'tonneauTentMode',
  tonneau_position_value: 'tonneauPosition',
  powershare_type_value: 'powershareType',
  powershare_state_value: 'powershareStatus',
  powershare_stop_reason_value: 'powershareStopReason',
  display_state_value: 'displayState',
  distance_unit_value: 'distanceUnit',
  temperature_unit_value: 'temperatureUnit',
  pressure_unit_value: 'pressureUnit',
  charge_unit_preference_value: 'chargeUnit',
  turn_signal_state_value: 'turnSignalState',
  media_status_value: 'mediaStatus',
  sunroof_installed_state_value: 'sunroofInstalledState',
};

/** Go's `%02d`: at least two characters, zero-padded after the sign. */
const twoDigits = (n: number): string => (n >= 0 && n < 10 ? `0${n}` : String(n));

function doors(d: Doors): Record<string, boolean> {
  return {
    DriverFront: d.DriverFront === true,
    DriverRear: d.DriverRear === true,
    PassengerFront: d.PassengerFront === true,
    PassengerRear: d.PassengerRear === true,
    TrunkFront: d.TrunkFront === true,
    TrunkRear: d.TrunkRear === true,
  };
}

/** Semi trucks (VIN 4th character `T`) name the rear axle tyres differently (§10.7). */
function tireLocation(t: TireLocation, vin: string): Record<string, boolean> {
  const b = (x: boolean | undefined): boolean => x === true;
  if (vin.length >= 4 && vin[3] === 'T') {
    return {
      FrontLeft: b(t.front_left),
      FrontRight: b(t.front_right),
      SemiMiddleAxleLeft: b(t.rear_left),
      SemiMiddleAxleLeft2: b(t.semi_middle_axle_left_2),
      SemiMiddleAxleRight: b(t.rear_right),
      SemiMiddleAxleRight2: b(t.semi_middle_axle_right_2),
      SemiRearAxleLeft: b(t.semi_rear_axle_left),
      SemiRearAxleLeft2: b(t.semi_rear_axle_left_2),
      SemiRearAxleRight: b(t.semi_rear_axle_right),
      SemiRearAxleRight2: b(t.semi_rear_axle_right_2),
    };
  }
  return { FrontLeft: b(t.front_left), FrontRight: b(t.front_right), RearLeft: b(t.rear_left), RearRight: b(t.rear_right) };
}

/** Non-verbose rendering of one datum value; int64 stays a bigint (exact). */
export function renderValue(v: ValueOneof, vin: string): unknown {
  switch (v.case) {
    case 'string_value':
    case 'int_value':
    case 'long_value':
    case 'double_value':
    case 'boolean_value':
      return v.value;
    case 'float_value':
      return float32Shortest(v.value); // 75.5f logs as 75.5, 0.1f as 0.1 (Go float32 printing)
    case 'location_value':
      return { latitude: v.value.latitude, longitude: v.value.longitude };
    case 'invalid':
      return '<invalid>';
    case 'door_value':
      return doors(v.value);
    case 'time_value': {
      const t: Time = v.value;
      return `${twoDigits(t.hour)}:${twoDigits(t.minute)}:${twoDigits(t.second)}`;
    }
    case 'tire_location_value':
      return tireLocation(v.value, vin);
    default: {
      // Enum members: the value name; Go prints unknown numbers as the decimal number.
      const n = v.value;
      return valueMemberEnum(v.case)?.nameOf.get(n) ?? String(n);
    }
  }
}

/** A possible `V` data key: its name, its place in sorted order, and its JSON text with the colon. */
interface DataKey {
  name: string;
  rank: number;
  text: string;
}

/** Every possible data key (each `Field` name, "" for unknown numbers, the three fixed keys), by name and by field number. */
interface DataKeys {
  byName: Map<string, DataKey>;
  byNumber: DataKey[];
  sorted: DataKey[];
}

let dataKeys: DataKeys | undefined;
function dataKeyTable(): DataKeys {
  if (dataKeys !== undefined) return dataKeys;
  const names = [...new Set([...FieldEnum.numberOf.keys(), '', 'CreatedAt', 'IsResend', 'Vin'])].sort();
  const sorted = names.map((name, rank) => ({ name, rank, text: `${JSON.stringify(name)}:` }));
  const byName = new Map(sorted.map((key) => [key.name, key]));
  const byNumber: DataKey[] = [];
  for (const [number, name] of FieldEnum.nameOf) byNumber[number] = byName.get(name) as DataKey;
  return (dataKeys = { byName, byNumber, sorted });
}

const ABSENT = Symbol('absent');

/**
 * The `V` data of one record, held by key rank so that it comes out in sorted key order (§11.6)
 * without sorting entries: a later datum of the same name overwrites the earlier, as upstream's map.
 * One instance per thread is reused: rendering is synchronous.
 */
class VehicleData {
  private readonly values: unknown[];
  private readonly used: number[] = [];

  constructor(private readonly table: DataKeys) {
    this.values = new Array<unknown>(table.sorted.length).fill(ABSENT);
  }

  collect(p: Payload, verbose: boolean, events: LoggerEvent[]): void {
    if (this.used.length > 0) for (const rank of this.ranks()) this.take(rank); // nothing left from a record not taken
    const vin = p.vin;
    const byName = this.table.byName;
    this.set((byName.get('CreatedAt') as DataKey).rank, rfc3339Seconds(p.created_at));
    this.set((byName.get('IsResend') as DataKey).rank, p.is_resend);
    this.set((byName.get('Vin') as DataKey).rank, vin);
    const unknownKey = byName.get('') as DataKey;
    for (const datum of p.data) {
      const key = this.table.byNumber[datum.key] ?? unknownKey;
      if (datum.value === undefined || datum.value === null) {
        events.push({ msg: 'unknown_payload_data_type', fields: { vin } });
        continue;
      }
      const v = datum.value.value;
      const typeKey = v ? TYPE_KEYS[v.case] : undefined;
      if (v === undefined || v === null || typeKey === undefined) {
        events.push({ msg: 'unknown_payload_value_data_type', fields: { name: key.name, vin } });
        continue;
      }
      const rendered = renderValue(v, vin);
      this.set(key.rank, verbose ? { [typeKey]: v.case === 'invalid' ? true : rendered } : rendered);
    }
  }

  /** The collected data as an object, keys inserted in sorted order; resets for the next record. */
  takeObject(): Record<string, unknown> {
    const data: Record<string, unknown> = {};
    for (const rank of this.ranks()) data[(this.table.sorted[rank] as DataKey).name] = this.take(rank);
    return data;
  }

  /** The collected data as JSON text, without building the object; resets for the next record. */
  takeJson(): string {
    let out = '{';
    let first = true;
    for (const rank of this.ranks()) {
      out += (first ? '' : ',') + (this.table.sorted[rank] as DataKey).text + valueJson(this.take(rank));
      first = false;
    }
    return out + '}';
  }

  private set(rank: number, value: unknown): void {
    if (this.values[rank] === ABSENT) this.used.push(rank);
    this.values[rank] = value;
  }

  private take(rank: number): unknown {
    const value = this.values[rank];
    this.values[rank] = ABSENT;
    return value;
  }

  private ranks(): Uint16Array {
    const ranks = Uint16Array.from(this.used).sort(); // typed arrays sort numerically
    this.used.length = 0;
    return ranks;
  }
}

/**
 * sortedJsonText of a rendered value, shortened by what renderValue makes: besides primitives, a
 * verbose wrapper (one key) or a location / doors / tire object built with sorted keys and holding
 * only numbers and booleans. Negative zero is written `-0`, as Go's encoding/json writes it
 * (JSON.stringify writes `0`).
 */
function valueJson(value: unknown): string {
  if (value === 0) return 1 / value < 0 ? '-0' : '0';
  if (typeof value !== 'object' || value === null) return primitiveJsonText(value) ?? 'null';
  const record = value as Record<string, unknown>;
  let out = '{';
  for (const key in record) out += `${out.length > 1 ? ',' : ''}${JSON.stringify(key)}:${valueJson(record[key])}`;
  return `${out}}`;
}

let vehicleData: VehicleData | undefined;

/** Unix seconds of a timestamp (Go `AsTime().Unix()`), a bigint so that every int64 prints exactly. */
const unixSeconds = (ts: Timestamp): bigint => normalizedSeconds(ts);

function renderAlerts(a: VehicleAlerts): unknown[] {
  return a.alerts.map((alert) => {
    const out: Record<string, unknown> = { Name: alert.name };
    if (alert.started_at) out.StartedAt = unixSeconds(alert.started_at);
    if (alert.ended_at) out.EndedAt = unixSeconds(alert.ended_at);
    out.Audiences = alert.audiences.length > 0 ? alert.audiences.map((n) => AudienceEnum.nameOf.get(n) ?? String(n)) : null;
    return out;
  });
}

function renderErrors(e: VehicleErrors): unknown[] {
  return e.errors.map((err) => {
    const keys = Object.keys(err.tags ?? {});
    const tags: Record<string, string> | null = keys.length > 0 ? {} : null;
    for (const k of keys) tags![k] = err.tags[k];
    const out: Record<string, unknown> = { Name: err.name, Body: err.body, Tags: tags };
    if (err.created_at) out.CreatedAt = unixSeconds(err.created_at);
    return out;
  });
}

function renderConnectivity(c: VehicleConnectivity): Record<string, unknown> {
  return {
    Vin: c.vin,
    ConnectionID: c.connection_id,
    NetworkInterface: c.network_interface,
    Status: ConnectivityEventEnum.nameOf.get(c.status) ?? String(c.status),
    CreatedAt: c.created_at ? unixSeconds(c.created_at) : 0n,
  };
}

/** §10.7 rendering of a record's decoded message; other record types give `unknown txType: <type>`. */
export function renderLoggerData(recordType: string, decoded: DecodedMessage | undefined, verbose: boolean): LoggerRender {
  return render(recordType, decoded, verbose, false);
}

/** renderLoggerData with `data` as its JSON text, keys sorted at every depth (`dataJson`). */
export function renderLoggerJson(recordType: string, decoded: DecodedMessage | undefined, verbose: boolean): LoggerRender {
  return render(recordType, decoded, verbose, true);
}

function render(recordType: string, decoded: DecodedMessage | undefined, verbose: boolean, json: boolean): LoggerRender {
  const events: LoggerEvent[] = [];
  const known = recordType === 'V' || recordType === 'alerts' || recordType === 'errors' || recordType === 'connectivity';
  if (!known) return { events, error: `unknown txType: ${recordType}` };
  if (decoded === undefined) return { events, error: `no decoded message for txType: ${recordType}` };
  let data: unknown;
  switch (recordType) {
    case 'V': {
      vehicleData ??= new VehicleData(dataKeyTable());
      vehicleData.collect(decoded as Payload, verbose, events);
      return json ? { dataJson: vehicleData.takeJson(), events } : { data: vehicleData.takeObject(), events };
    }
    case 'alerts':
      data = renderAlerts(decoded as VehicleAlerts);
      break;
    case 'errors':
      data = renderErrors(decoded as VehicleErrors);
      break;
    default:
      data = renderConnectivity(decoded as VehicleConnectivity);
  }
  return json ? { dataJson: sortedJsonText(data), events } : { data, events };
}
