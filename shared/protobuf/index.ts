/**
 * Public entry of the protobuf layer shared by the gateway and the dispatch workers.
 * Representation and usage: see README.md in this folder.
 */
import type { EnumInfo, MessageType } from './schema';
import { enumInfo, messageType } from './schema';
import type { DecodedMessage, Payload, VehicleAlerts, VehicleConnectivity, VehicleErrors } from './types';

export { decode, type DecodeResult } from './decode';
export { create } from './create';
export { encode, tryEncode, type EncodeResult } from './encode';
export { toJson, type JsonResult } from './json';
export { float32Shortest, formatFloat32, formatFloat64 } from './float-format';
export { rfc3339Seconds, normalizedSeconds, timestampJson } from './timestamp';
export type { EnumInfo, MessageType } from './schema';
export type * from './types';

/** Message type handles of the four record payloads (PROTOCOL.md §1). */
export const PayloadType: MessageType<Payload> = messageType<Payload>('telemetry.vehicle_data.Payload');
export const VehicleAlertsType: MessageType<VehicleAlerts> = messageType<VehicleAlerts>('telemetry.vehicle_alerts.VehicleAlerts');
export const VehicleErrorsType: MessageType<VehicleErrors> = messageType<VehicleErrors>('telemetry.vehicle_error.VehicleErrors');
export const VehicleConnectivityType: MessageType<VehicleConnectivity> = messageType<VehicleConnectivity>(
  'telemetry.vehicle_connectivity.VehicleConnectivity',
);

/** The payload message of a record type (§6.1); undefined for topics that are forwarded untouched. */
export function payloadTypeFor(recordType: 'V'): MessageType<Payload>;
export function payloadTypeFor(recordType: 'alerts'): MessageType<VehicleAlerts>;
export function payloadTypeFor(recordType: 'errors'): MessageType<VehicleErrors>;
export function payloadTypeFor(recordType: 'connectivity'): MessageType<VehicleConnectivity>;
export function payloadTypeFor(recordType: string): MessageType<DecodedMessage> | undefined;
export function payloadTypeFor(recordType: string): MessageType<DecodedMessage> | undefined {
  switch (recordType) {
    case 'V':
      return PayloadType;
    case 'alerts':
      return VehicleAlertsType;
    case 'errors':
      return VehicleErrorsType;
    case 'connectivity':
      return VehicleConnectivityType;
    default:
      return undefined;
  }
}

/** Any message type by full name, e.g. `telemetry.vehicle_data.Datum`. Throws when unknown. */
export function messageTypeByName(fullName: string): MessageType {
  return messageType(fullName);
}

export const FieldEnum: EnumInfo = enumInfo('telemetry.vehicle_data.Field');
export const AudienceEnum: EnumInfo = enumInfo('telemetry.vehicle_alerts.Audience');
export const ConnectivityEventEnum: EnumInfo = enumInfo('telemetry.vehicle_connectivity.ConnectivityEvent');

/** Enum info by full name, e.g. `enumInfo('telemetry.vehicle_data.ShiftState')`. Throws when unknown. */
export { enumInfo };

/** `Field` name of a datum key (`Location` for 21), or undefined for unknown numbers. */
export function fieldName(key: number): string | undefined {
  return FieldEnum.nameOf.get(key);
}

/** `Field` number of a name (`Location` → 21), or undefined. */
export function fieldNumber(name: string): number | undefined {
  return FieldEnum.numberOf.get(name);
}

let valueEnums: Map<string, EnumInfo> | undefined;

/** The enum behind a `Value` oneof member (`shift_state_value` → ShiftState), or undefined for non-enum members. */
export function valueMemberEnum(member: string): EnumInfo | undefined {
  if (!valueEnums) {
    valueEnums = new Map();
    for (const f of messageType('telemetry.vehicle_data.Value').fields) if (f.enumType) valueEnums.set(f.name, f.enumType);
  }
  return valueEnums.get(member);
}

/** Name of enum value `n` of a `Value` member's enum (`shift_state_value`, 5 → `ShiftStateD`); undefined if unknown. */
export function valueEnumName(member: string, n: number): string | undefined {
  return valueMemberEnum(member)?.nameOf.get(n);
}
