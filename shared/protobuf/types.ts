/**
 * TypeScript shapes of decoded messages (see README.md). Decoded objects always carry every key;
 * objects given to encode() may omit any key (missing ⇒ default / unset).
 * Enums are plain numbers (open enums, PROTOCOL.md §6.2); int64 is bigint.
 */

/** Unknown fields as raw wire bytes (tag included), in read order; re-emitted after known fields (§6.4). */
export interface HasUnknown {
  $unknown?: Uint8Array[] | undefined;
}

export interface Timestamp extends HasUnknown {
  seconds: bigint;
  nanos: number;
}

export interface LocationValue extends HasUnknown {
  latitude: number;
  longitude: number;
}

export interface Doors extends HasUnknown {
  DriverFront: boolean;
  DriverRear: boolean;
  PassengerFront: boolean;
  PassengerRear: boolean;
  TrunkFront: boolean;
  TrunkRear: boolean;
}

export interface TireLocation extends HasUnknown {
  front_left: boolean;
  front_right: boolean;
  rear_left: boolean;
  rear_right: boolean;
  semi_middle_axle_left_2: boolean;
  semi_middle_axle_right_2: boolean;
  semi_rear_axle_left: boolean;
  semi_rear_axle_right: boolean;
  semi_rear_axle_left_2: boolean;
  semi_rear_axle_right_2: boolean;
}

export interface Time extends HasUnknown {
  hour: number;
  minute: number;
  second: number;
}

/** `Value` oneof members whose type is an enum (value = enum number). */
export type EnumValueCase =
  | 'charging_value'
  | 'shift_state_value'
  | 'lane_assist_level_value'
  | 'scheduled_charging_mode_value'
  | 'sentry_mode_state_value'
  | 'speed_assist_level_value'
  | 'bms_state_value'
  | 'buckle_status_value'
  | 'car_type_value'
  | 'charge_port_value'
  | 'charge_port_latch_value'
  | 'drive_inverter_state_value'
  | 'hvil_status_value'
  | 'window_state_value'
  | 'seat_fold_position_value'
  | 'tractor_air_status_value'
  | 'follow_distance_value'
  | 'forward_collision_sensitivity_value'
  | 'guest_mode_mobile_access_value'
  | 'trailer_air_status_value'
  | 'detailed_charge_state_value'
  | 'hvac_auto_mode_value'
  | 'cabin_overheat_protection_mode_value'
  | 'cabin_overheat_protection_temperature_limit_value'
  | 'defrost_mode_value'
  | 'climate_keeper_mode_value'
  | 'hvac_power_value'
  | 'fast_charger_value'
  | 'cable_type_value'
  | 'tonneau_tent_mode_value'
  | 'tonneau_position_value'
  | 'powershare_type_value'
  | 'powershare_state_value'
  | 'powershare_stop_reason_value'
  | 'display_state_value'
  | 'distance_unit_value'
  | 'temperature_unit_value'
  | 'pressure_unit_value'
  | 'charge_unit_preference_value'
  | 'turn_signal_state_value'
  | 'media_status_value'
  | 'sunroof_installed_state_value';

/** The `Value.value` oneof: `{case: <member name>, value}`. */
export type ValueOneof =
  | { case: 'string_value'; value: string }
  | { case: 'int_value'; value: number }
  | { case: 'long_value'; value: bigint }
  | { case: 'float_value'; value: number }
  | { case: 'double_value'; value: number }
  | { case: 'boolean_value'; value: boolean }
  | { case: 'invalid'; value: boolean }
  | { case: 'location_value'; value: LocationValue }
  | { case: 'door_value'; value: Doors }
  | { case: 'time_value'; value: Time }
  | { case: 'tire_location_value'; value: TireLocation }
  | { case: EnumValueCase; value: number };

export interface Value extends HasUnknown {
  value: ValueOneof | undefined;
  /**
   * Set by decode when the Value holds a NaN: the bytes it was decoded from (a view into the
   * decoder's input, valid while that input is). Encoding writes them unchanged, so the NaN's
   * payload bits survive (a JS number cannot carry a signalling NaN). A transform that rewrites
   * the Value clears it; messages built in code leave it out.
   */
  $bytes?: Uint8Array | undefined;
}

export interface Datum extends HasUnknown {
  /** `Field` enum number. */
  key: number;
  value: Value | undefined;
}

/** telemetry.vehicle_data.Payload (record type `V`). */
export interface Payload extends HasUnknown {
  data: Datum[];
  created_at: Timestamp | undefined;
  vin: string;
  is_resend: boolean;
}

export interface VehicleAlert extends HasUnknown {
  name: string;
  /** `Audience` enum numbers. */
  audiences: number[];
  started_at: Timestamp | undefined;
  ended_at: Timestamp | undefined;
}

/** telemetry.vehicle_alerts.VehicleAlerts (record type `alerts`). */
export interface VehicleAlerts extends HasUnknown {
  alerts: VehicleAlert[];
  created_at: Timestamp | undefined;
  vin: string;
}

export interface VehicleError extends HasUnknown {
  created_at: Timestamp | undefined;
  name: string;
  /** map<string,string>; decoded maps have no prototype. */
  tags: Record<string, string>;
  body: string;
}

/** telemetry.vehicle_error.VehicleErrors (record type `errors`). */
export interface VehicleErrors extends HasUnknown {
  errors: VehicleError[];
  created_at: Timestamp | undefined;
  vin: string;
}

/** telemetry.vehicle_connectivity.VehicleConnectivity (record type `connectivity`). */
export interface VehicleConnectivity extends HasUnknown {
  vin: string;
  connection_id: string;
  /** `ConnectivityEvent` enum number. */
  status: number;
  created_at: Timestamp | undefined;
  network_interface: string;
}

export type DecodedMessage = Payload | VehicleAlerts | VehicleErrors | VehicleConnectivity;

/** Input accepted by encode(): any key may be omitted; oneof values are given whole. */
export type MessageInit<T> = T extends bigint | number | string | boolean | Uint8Array
  ? T
  : T extends readonly (infer E)[]
    ? MessageInit<E>[]
    : T extends { case: string; value: unknown }
      ? T
      : T extends object
        ? { [K in keyof T]?: MessageInit<T[K]> }
        : T;
