import { GOLDEN_PROTOBUF as golden } from './testdata/golden-vectors';
import {
  PayloadType,
  VehicleAlertsType,
  VehicleConnectivityType,
  VehicleErrorsType,
  create,
  decode,
  messageTypeByName,
  toJson,
} from './index';
import type { JsonResult, ValueOneof } from './index';

const ValueType = messageTypeByName('telemetry.vehicle_data.Value');
const TimestampType = messageTypeByName('google.protobuf.Timestamp');
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));

function json(r: JsonResult): string {
  if (!r.ok) throw new Error(r.error);
  return r.json;
}
const valueJson = (v: ValueOneof): string => json(toJson(ValueType, { value: v }));

describe('protojson (§6.5)', () => {
  it('prints the golden connectivity JSON', () => {
    const m = decode(VehicleConnectivityType, bytes(golden.connectivity_example.hex));
    if (!m.ok) throw new Error(m.error);
    expect(json(toJson(VehicleConnectivityType, m.message))).toBe(golden.connectivity_example.json);
  });

  it('emits unpopulated fields: null messages, [] repeated, {} maps, zero scalars, enum zero names', () => {
    expect(json(toJson(PayloadType, create(PayloadType)))).toBe('{"data":[],"createdAt":null,"vin":"","isResend":false}');
    expect(json(toJson(PayloadType, {}))).toBe('{"data":[],"createdAt":null,"vin":"","isResend":false}');
    expect(json(toJson(VehicleConnectivityType, {}))).toBe(
      '{"vin":"","connectionId":"","status":"UNKNOWN","createdAt":null,"networkInterface":""}',
    );
    expect(json(toJson(VehicleErrorsType, { errors: [{}] }))).toBe(
      '{"errors":[{"createdAt":null,"name":"","tags":{},"body":""}],"createdAt":null,"vin":""}',
    );
    expect(json(toJson(VehicleAlertsType, { alerts: [{}] }))).toBe(
      '{"alerts":[{"name":"","audiences":[],"startedAt":null,"endedAt":null}],"createdAt":null,"vin":""}',
    );
    expect(json(toJson(PayloadType, { data: [{}] }))).toBe(
      '{"data":[{"key":"Unknown","value":null}],"createdAt":null,"vin":"","isResend":false}',
    );
  });

  it('prints only the set oneof member; an unset oneof prints {}', () => {
    expect(json(toJson(ValueType, {}))).toBe('{}');
    expect(valueJson({ case: 'int_value', value: 0 })).toBe('{"intValue":0}');
    expect(valueJson({ case: 'string_value', value: '' })).toBe('{"stringValue":""}');
  });

  it.each<[ValueOneof, string]>([
    [{ case: 'long_value', value: -9223372036854775808n }, '{"longValue":"-9223372036854775808"}'],
    [{ case: 'int_value', value: -5 }, '{"intValue":-5}'],
    [{ case: 'float_value', value: Math.fround(0.1) }, '{"floatValue":0.1}'],
    [{ case: 'float_value', value: Math.fround(75.5) }, '{"floatValue":75.5}'],
    [{ case: 'float_value', value: Math.fround(1e-7) }, '{"floatValue":1e-7}'],
    [{ case: 'float_value', value: Math.fround(1.5e21) }, '{"floatValue":1.5e+21}'],
    [{ case: 'float_value', value: NaN }, '{"floatValue":"NaN"}'],
    [{ case: 'double_value', value: 0.1 }, '{"doubleValue":0.1}'],
    [{ case: 'double_value', value: -0 }, '{"doubleValue":-0}'],
    [{ case: 'float_value', value: -0 }, '{"floatValue":-0}'],
    [{ case: 'location_value', value: { latitude: -0, longitude: -0 } }, '{"locationValue":{"latitude":-0,"longitude":-0}}'],
    [{ case: 'double_value', value: 1e21 }, '{"doubleValue":1e+21}'],
    [{ case: 'double_value', value: 1e-7 }, '{"doubleValue":1e-7}'],
    [{ case: 'double_value', value: 0.000001 }, '{"doubleValue":0.000001}'],
    [{ case: 'double_value', value: Infinity }, '{"doubleValue":"Infinity"}'],
    [{ case: 'double_value', value: -Infinity }, '{"doubleValue":"-Infinity"}'],
    [{ case: 'boolean_value', value: false }, '{"booleanValue":false}'],
    [{ case: 'invalid', value: true }, '{"invalid":true}'],
    [{ case: 'location_value', value: { latitude: -37.412374, longitude: 0 } }, '{"locationValue":{"latitude":-37.412374,"longitude":0}}'],
    [{ case: 'shift_state_value', value: 5 }, '{"shiftStateValue":"ShiftStateD"}'],
    [{ case: 'shift_state_value', value: 99 }, '{"shiftStateValue":99}'],
    [{ case: 'charging_value', value: 0 }, '{"chargingValue":"ChargeStateUnknown"}'],
    [{ case: 'time_value', value: { hour: 1, minute: 2, second: 0 } }, '{"timeValue":{"hour":1,"minute":2,"second":0}}'],
    [
      {
        case: 'door_value',
        value: { DriverFront: true, DriverRear: false, PassengerFront: false, PassengerRear: false, TrunkFront: false, TrunkRear: true },
      },
      '{"doorValue":{"DriverFront":true,"DriverRear":false,"PassengerFront":false,"PassengerRear":false,"TrunkFront":false,"TrunkRear":true}}',
    ],
  ])('%p ⇒ %s', (v, out) => {
    expect(valueJson(v)).toBe(out);
  });

  it('uses protoc JSON names (semi_middle_axle_left_2 → semiMiddleAxleLeft2)', () => {
    const out = valueJson({
      case: 'tire_location_value',
      value: create(messageTypeByName('telemetry.vehicle_data.TireLocation')) as never,
    });
    expect(out).toBe(
      '{"tireLocationValue":{"frontLeft":false,"frontRight":false,"rearLeft":false,"rearRight":false,"semiMiddleAxleLeft2":false,' +
        '"semiMiddleAxleRight2":false,"semiRearAxleLeft":false,"semiRearAxleRight":false,"semiRearAxleLeft2":false,"semiRearAxleRight2":false}}',
    );
  });

  it('escapes strings as protojson does (no HTML escaping, U+2028 raw)', () => {
    const s = '"\\\b\f\n\r\t\u0001\u001f\u007f<>&\u2028é\u{1f697}';
    expect(valueJson({ case: 'string_value', value: s })).toBe(
      `{"stringValue":"\\"\\\\\\b\\f\\n\\r\\t\\u0001\\u001f\u007f<>&\u2028é\u{1f697}"}`,
    );
  });

  it('sorts map keys by code point', () => {
    const tags = { b: '1', a: '2', '\uffff': '3', '\u{10000}': '4' };
    expect(json(toJson(VehicleErrorsType, { errors: [{ tags }] }))).toContain('"tags":{"a":"2","b":"1","\uffff":"3","\u{10000}":"4"}');
  });

  it('prints enum names in repeated fields, unknown numbers as numbers', () => {
    expect(json(toJson(VehicleAlertsType, { alerts: [{ audiences: [1, 3, 7] }] }))).toContain('"audiences":["Customer","ServiceFix",7]');
  });

  it.each([
    [0n, 0, '1970-01-01T00:00:00Z'],
    [1700000000n, 5000000, '2023-11-14T22:13:20.005Z'],
    [1700000000n, 123456000, '2023-11-14T22:13:20.123456Z'],
    [1700000000n, 1, '2023-11-14T22:13:20.000000001Z'],
    [1700000000n, 100, '2023-11-14T22:13:20.000000100Z'],
    [-62135596800n, 0, '0001-01-01T00:00:00Z'],
    [253402300799n, 999999999, '9999-12-31T23:59:59.999999999Z'],
    [951782400n, 0, '2000-02-29T00:00:00Z'],
    [-1n, 0, '1969-12-31T23:59:59Z'],
  ])('Timestamp {%s, %d} ⇒ %s', (seconds, nanos, out) => {
    expect(json(toJson(TimestampType, { seconds, nanos }))).toBe(`"${out}"`);
  });

  it.each([
    [253402300800n, 0, 'proto: google.protobuf.Timestamp: seconds out of range 253402300800'],
    [-62135596801n, 0, 'proto: google.protobuf.Timestamp: seconds out of range -62135596801'],
    [0n, -1, 'proto: google.protobuf.Timestamp: nanos out of range -1'],
    [0n, 1000000000, 'proto: google.protobuf.Timestamp: nanos out of range 1000000000'],
  ])('Timestamp {%s, %d} is an error', (seconds, nanos, error) => {
    expect(toJson(PayloadType, { created_at: { seconds, nanos } })).toEqual({ ok: false, error });
  });

  it('does not print unknown fields', () => {
    const m = decode(PayloadType, bytes('1a0178 4805'));
    if (!m.ok) throw new Error(m.error);
    expect(json(toJson(PayloadType, m.message))).toBe('{"data":[],"createdAt":null,"vin":"x","isResend":false}');
  });
});
