import { create, fieldNumber, PayloadType, VehicleAlertsType, VehicleConnectivityType, VehicleErrorsType } from '../../../shared/protobuf';
import type { MessageInit, Payload, ValueOneof } from '../../../shared/protobuf';
import { datumValueJson, mqttMessages } from './mqtt-messages';
import { goFloat32, goString } from './go-json';

const VIN = '5YJ3E1EA7KF100001';
const ts = (seconds: number) => ({ seconds: BigInt(seconds), nanos: 0 });
const value = (v: ValueOneof) => ({ value: v, $unknown: undefined });

describe('Go encoding/json primitives', () => {
  it('escapes strings as Go does', () => {
    expect(goString('a"b\\c<d>&e\u2028\u2029\b\f\n\r\t\u0001\u007fé')).toBe(
      '"a\\"b\\\\c\\u003cd\\u003e\\u0026e\\u2028\\u2029\\b\\f\\n\\r\\t\\u0001\u007fé"',
    );
  });
  it('prints float32 in shortest float32 form and refuses NaN', () => {
    expect(goFloat32(Math.fround(75.5))).toBe('75.5');
    expect(goFloat32(Math.fround(0.1))).toBe('0.1');
    expect(goFloat32(Math.fround(1e-7))).toBe('1e-7');
    expect(goFloat32(-0)).toBe('-0');
    expect(() => goFloat32(NaN)).toThrow('json: unsupported value: NaN');
  });
});

describe('datum values (§10.5 table)', () => {
  it.each<[ValueOneof, string]>([
    [{ case: 'string_value', value: 'x<y' }, '"x\\u003cy"'],
    [{ case: 'int_value', value: -3 }, '-3'],
    [{ case: 'long_value', value: 9007199254740993n }, '9007199254740993'],
    [{ case: 'float_value', value: Math.fround(75.5) }, '75.5'],
    [{ case: 'double_value', value: 1e21 }, '1e+21'],
    [{ case: 'boolean_value', value: true }, 'true'],
    [{ case: 'invalid', value: false }, 'null'],
    [{ case: 'location_value', value: { latitude: 37.5, longitude: -122.25 } }, '{"latitude":37.5,"longitude":-122.25}'],
    [
      {
        case: 'door_value',
        value: { DriverFront: true, DriverRear: false, PassengerFront: false, PassengerRear: true, TrunkFront: false, TrunkRear: false },
      },
      '{"DriverFront":true,"DriverRear":false,"PassengerFront":false,"PassengerRear":true,"TrunkFront":false,"TrunkRear":false}',
    ],
    [{ case: 'time_value', value: { hour: 7, minute: 5, second: 123 } }, '"07:05:123"'],
    [{ case: 'shift_state_value', value: 99 }, '"99"'],
    [{ case: 'hvac_power_value', value: 99 }, '99'],
    [
      {
        case: 'tire_location_value',
        value: {
          front_left: true,
          front_right: false,
          rear_left: false,
          rear_right: false,
          semi_middle_axle_left_2: false,
          semi_middle_axle_right_2: false,
          semi_rear_axle_left: false,
          semi_rear_axle_right: false,
          semi_rear_axle_left_2: true,
          semi_rear_axle_right_2: false,
        },
      },
      '{"front_left":true,"semi_rear_axle_left_2":true}',
    ],
  ])('%# → %s', (v, json) => {
    expect(datumValueJson(value(v))).toBe(json);
  });
  it('names enum values; an empty value is {} and a missing one null', () => {
    expect(datumValueJson(value({ case: 'shift_state_value', value: 4 }))).toMatch(/^"ShiftState\w+"$/);
    expect(datumValueJson({ value: undefined })).toBe('{}');
    expect(datumValueJson(undefined)).toBe('null');
  });
});

describe('topics and payloads per record type', () => {
  it('V: one topic per field, the last of duplicate keys wins', () => {
    const payload = create(PayloadType, {
      data: [
        { key: fieldNumber('VehicleName')!, value: { value: { case: 'string_value', value: 'old' } } },
        { key: fieldNumber('Odometer')!, value: { value: { case: 'double_value', value: 12.5 } } },
        { key: fieldNumber('VehicleName')!, value: { value: { case: 'string_value', value: 'new' } } },
        { key: 99999, value: { value: { case: 'int_value', value: 1 } } },
      ],
      vin: VIN,
    } as MessageInit<Payload>);
    expect(mqttMessages('tb', VIN, 'V', payload)).toEqual({
      ok: true,
      messages: [
        { topic: `tb/${VIN}/v/VehicleName`, json: '"new"' },
        { topic: `tb/${VIN}/v/Odometer`, json: '12.5' },
        { topic: `tb/${VIN}/v/99999`, json: '1' },
      ],
    });
  });

  it('V: a NaN stops the building; what came before is kept', () => {
    const payload = create(PayloadType, {
      data: [
        { key: fieldNumber('VehicleName')!, value: { value: { case: 'string_value', value: 'car' } } },
        { key: fieldNumber('Odometer')!, value: { value: { case: 'double_value', value: NaN } } },
        { key: fieldNumber('Gear')!, value: { value: { case: 'int_value', value: 1 } } },
      ],
    } as MessageInit<Payload>);
    expect(mqttMessages('', VIN, 'V', payload)).toEqual({
      ok: false,
      messages: [{ topic: `/${VIN}/v/VehicleName`, json: '"car"' }],
      error: 'json: unsupported value: NaN',
    });
  });

  it('alerts: current (latest started_at, first of equals) and history per name, no Name key', () => {
    const alerts = create(VehicleAlertsType, {
      alerts: [
        { name: 'A', audiences: [1], started_at: ts(100) },
        { name: 'B', audiences: [] },
        { name: 'A', audiences: [], started_at: ts(200), ended_at: ts(300) },
        { name: 'A', audiences: [2], started_at: ts(200) },
      ],
    });
    const { messages } = mqttMessages('tb', VIN, 'alerts', alerts);
    const a2 = '{"Audiences":null,"EndedAt":"1970-01-01T00:05:00Z","StartedAt":"1970-01-01T00:03:20Z"}';
    expect(messages.map((m) => m.topic)).toEqual([
      `tb/${VIN}/alerts/A/current`,
      `tb/${VIN}/alerts/A/history`,
      `tb/${VIN}/alerts/B/history`,
    ]);
    expect(messages[0].json).toBe(a2);
    expect(JSON.parse(messages[1].json)).toHaveLength(3);
    expect(messages[1].json).toMatch(/^\[\{"Audiences":\["[A-Za-z]+"\],"StartedAt":"1970-01-01T00:01:40Z"\},/);
    expect(messages[2].json).toBe('[{"Audiences":null}]');
  });

  it('errors: one topic per error (duplicates twice), tags sorted or null', () => {
    const errors = create(VehicleErrorsType, {
      errors: [
        { name: 'e1', body: 'b<1>', tags: { z: '1', a: '2' }, created_at: ts(0) },
        { name: 'e1', body: '', tags: {} },
      ],
    });
    expect(mqttMessages('', VIN, 'errors', errors).messages).toEqual([
      { topic: `/${VIN}/errors/e1`, json: '{"Body":"b\\u003c1\\u003e","CreatedAt":"1970-01-01T00:00:00Z","Tags":{"a":"2","z":"1"}}' },
      { topic: `/${VIN}/errors/e1`, json: '{"Body":"","Tags":null}' },
    ]);
  });

  it('connectivity: one object, an unset time is the epoch', () => {
    const c = create(VehicleConnectivityType, { connection_id: 'c1', status: 1, vin: VIN });
    expect(mqttMessages('tb', VIN, 'connectivity', c).messages).toEqual([
      { topic: `tb/${VIN}/connectivity`, json: '{"ConnectionId":"c1","CreatedAt":"1970-01-01T00:00:00Z","Status":"CONNECTED"}' },
    ]);
  });

  it('other record types publish nothing', () => {
    expect(mqttMessages('tb', VIN, 'custom', undefined)).toMatchObject({ ok: false, messages: [], unknownType: true });
  });
});
