import {
  PayloadType,
  VehicleAlertsType,
  VehicleConnectivityType,
  VehicleErrorsType,
  create,
  messageTypeByName,
} from '../../../shared/protobuf';
import type { Datum, DecodedMessage, Payload, TireLocation, ValueOneof } from '../../../shared/protobuf';
import { sortedJsonText } from '../../../shared/log';
import { renderLoggerData, renderLoggerJson } from './render';

const datum = (key: number, v: ValueOneof): Datum => ({ key, value: { value: v } });
const payload = (vin: string, data: Datum[], extra: Partial<Payload> = {}): Payload => create(PayloadType, { vin, data, ...extra });
const render = (p: Payload, verbose = false) => renderLoggerData('V', p, verbose);
const tire = (set: Partial<TireLocation>): TireLocation => ({
  ...(create(messageTypeByName('telemetry.vehicle_data.TireLocation')) as TireLocation),
  ...set,
});

describe('logger V rendering (§10.7)', () => {
  it('renders the upstream unit-test record', () => {
    const p = payload('TEST123', [
      datum(64, { case: 'string_value', value: 'TestVehicle' }),
      datum(10, { case: 'shift_state_value', value: 5 }),
    ]);
    expect(render(p)).toEqual({
      data: { VehicleName: 'TestVehicle', Gear: 'ShiftStateD', Vin: 'TEST123', CreatedAt: '1970-01-01T00:00:00Z', IsResend: false },
      events: [],
    });
    expect(render(p, true).data).toEqual({
      VehicleName: { stringValue: 'TestVehicle' },
      Gear: { shiftStateValue: 'ShiftStateD' },
      Vin: 'TEST123',
      CreatedAt: '1970-01-01T00:00:00Z',
      IsResend: false,
    });
  });

  it('prints CreatedAt as RFC 3339 seconds and IsResend', () => {
    const p = payload('v', [], { created_at: { seconds: 1700000000n, nanos: 5000000 }, is_resend: true });
    expect(render(p).data).toEqual({ Vin: 'v', CreatedAt: '2023-11-14T22:13:20Z', IsResend: true });
  });

  it.each<[ValueOneof, unknown, unknown]>([
    [{ case: 'string_value', value: 's' }, 's', { stringValue: 's' }],
    [{ case: 'int_value', value: 50000 }, 50000, { intValue: 50000 }],
    [{ case: 'long_value', value: 2n ** 60n }, 2n ** 60n, { longValue: 2n ** 60n }],
    [{ case: 'float_value', value: Math.fround(75.5) }, 75.5, { floatValue: 75.5 }],
    [{ case: 'float_value', value: Math.fround(0.1) }, 0.1, { floatValue: 0.1 }],
    [{ case: 'double_value', value: 1.25 }, 1.25, { doubleValue: 1.25 }],
    [{ case: 'boolean_value', value: true }, true, { booleanValue: true }],
    [{ case: 'invalid', value: false }, '<invalid>', { invalid: true }],
    [
      { case: 'location_value', value: { latitude: 1.5, longitude: -2 } },
      { latitude: 1.5, longitude: -2 },
      { locationValue: { latitude: 1.5, longitude: -2 } },
    ],
    [{ case: 'shift_state_value', value: 99 }, '99', { shiftStateValue: '99' }],
    [{ case: 'lane_assist_level_value', value: 0 }, 'LaneAssistLevelUnknown', { laneAssistLevel: 'LaneAssistLevelUnknown' }],
    [{ case: 'fast_charger_value', value: 1 }, 'FastChargerSupercharger', { fastChargerType: 'FastChargerSupercharger' }],
    [{ case: 'cable_type_value', value: 1 }, 'CableTypeIEC', { chargingCableType: 'CableTypeIEC' }],
    [{ case: 'powershare_state_value', value: 0 }, 'PowershareStateUnknown', { powershareStatus: 'PowershareStateUnknown' }],
    [{ case: 'charge_unit_preference_value', value: 0 }, 'ChargeUnitUnknown', { chargeUnit: 'ChargeUnitUnknown' }],
    [{ case: 'time_value', value: { hour: 7, minute: 5, second: 30 } }, '07:05:30', { time: '07:05:30' }],
    [{ case: 'time_value', value: { hour: 123, minute: -5, second: 0 } }, '123:-5:00', { time: '123:-5:00' }],
    [
      {
        case: 'door_value',
        value: { DriverFront: true, DriverRear: false, PassengerFront: false, PassengerRear: true, TrunkFront: false, TrunkRear: false },
      },
      { DriverFront: true, DriverRear: false, PassengerFront: false, PassengerRear: true, TrunkFront: false, TrunkRear: false },
      {
        doorValue: {
          DriverFront: true,
          DriverRear: false,
          PassengerFront: false,
          PassengerRear: true,
          TrunkFront: false,
          TrunkRear: false,
        },
      },
    ],
    [
      { case: 'tire_location_value', value: tire({ front_left: true, rear_right: true, semi_rear_axle_left: true }) },
      { FrontLeft: true, FrontRight: false, RearLeft: false, RearRight: true },
      { tireLocation: { FrontLeft: true, FrontRight: false, RearLeft: false, RearRight: true } },
    ],
  ])('%p', (v, plain, verbose) => {
    const p = payload('5YJ3E1EA7KF000000', [datum(4, v)]);
    expect((render(p).data as Record<string, unknown>).VehicleSpeed).toEqual(plain);
    expect((render(p, true).data as Record<string, unknown>).VehicleSpeed).toEqual(verbose);
    // The sink's JSON text says the same, keys sorted at every depth.
    expect(renderLoggerJson('V', p, false).dataJson).toBe(sortedJsonText(render(p).data));
    expect(renderLoggerJson('V', p, true).dataJson).toBe(sortedJsonText(render(p, true).data));
  });

  it('builds V data with keys in sorted order at every depth, in both forms', () => {
    // Keys out of order, a duplicate (4 twice), an unknown number (9999 ⇒ ""), a Semi VIN.
    const p = payload('7SVT00000', [
      datum(21, { case: 'location_value', value: { latitude: 1.5, longitude: -2 } }),
      datum(5, { case: 'tire_location_value', value: tire({ rear_left: true }) }),
      datum(10, {
        case: 'door_value',
        value: { DriverFront: true, DriverRear: false, PassengerFront: false, PassengerRear: true, TrunkFront: false, TrunkRear: false },
      }),
      datum(4, { case: 'string_value', value: 'first' }),
      datum(9999, { case: 'int_value', value: 3 }),
      datum(64, { case: 'long_value', value: 7n }),
      datum(4, { case: 'string_value', value: 'later wins' }),
    ]);
    for (const verbose of [false, true]) {
      const data = render(p, verbose).data;
      expect(JSON.stringify(data, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))).toBe(sortedJsonText(data));
      expect(renderLoggerJson('V', p, verbose).dataJson).toBe(sortedJsonText(data));
    }
    expect((render(p).data as Record<string, unknown>).VehicleSpeed).toBe('later wins');
  });

  it('renders Semi tire locations (VIN 4th character T) with ten keys, and never crashes on short VINs', () => {
    const v: ValueOneof = {
      case: 'tire_location_value',
      value: tire({ rear_left: true, semi_middle_axle_right_2: true, semi_rear_axle_right_2: true }),
    };
    expect((render(payload('7SVT00000', [datum(4, v)])).data as Record<string, unknown>).VehicleSpeed).toEqual({
      FrontLeft: false,
      FrontRight: false,
      SemiMiddleAxleLeft: true,
      SemiMiddleAxleRight: false,
      SemiMiddleAxleLeft2: false,
      SemiMiddleAxleRight2: true,
      SemiRearAxleLeft: false,
      SemiRearAxleRight: false,
      SemiRearAxleLeft2: false,
      SemiRearAxleRight2: true,
    });
    for (const vin of ['', 'T', 'TTT']) {
      expect((render(payload(vin, [datum(4, v)])).data as Record<string, unknown>).VehicleSpeed).toEqual({
        FrontLeft: false,
        FrontRight: false,
        RearLeft: true,
        RearRight: false,
      });
    }
  });

  it('skips data without value, without member, or with charging_value, with events', () => {
    const p = payload('vin1', [
      { key: 4, value: undefined },
      { key: 64, value: { value: undefined } },
      datum(2, { case: 'charging_value', value: 4 }),
      datum(5, { case: 'double_value', value: 1 }),
    ]);
    expect(render(p)).toEqual({
      data: { Vin: 'vin1', CreatedAt: '1970-01-01T00:00:00Z', IsResend: false, Odometer: 1 },
      events: [
        { msg: 'unknown_payload_data_type', fields: { vin: 'vin1' } },
        { msg: 'unknown_payload_value_data_type', fields: { name: 'VehicleName', vin: 'vin1' } },
        { msg: 'unknown_payload_value_data_type', fields: { name: 'ChargeState', vin: 'vin1' } },
      ],
    });
  });

  it('maps unknown keys to "" and lets later data overwrite earlier ones', () => {
    const p = payload('v', [
      datum(999, { case: 'int_value', value: 1 }),
      datum(4, { case: 'int_value', value: 1 }),
      datum(4, { case: 'int_value', value: 2 }),
    ]);
    expect(render(p).data).toEqual({ Vin: 'v', CreatedAt: '1970-01-01T00:00:00Z', IsResend: false, '': 1, VehicleSpeed: 2 });
  });
});

describe('negative zero (issue 14.A.6)', () => {
  it('V values print -0 as Go does, plain and verbose', () => {
    const p = payload('v', [
      datum(4, { case: 'double_value', value: -0 }),
      datum(5, { case: 'float_value', value: -0 }),
      datum(21, { case: 'location_value', value: { latitude: -0, longitude: 0, $unknown: undefined } }),
    ]);
    const plain = renderLoggerJson('V', p, false).dataJson!;
    expect(plain).toContain('"VehicleSpeed":-0,');
    expect(plain).toContain('"Odometer":-0,');
    expect(plain).toContain('"Location":{"latitude":-0,"longitude":0}');
    const verbose = renderLoggerJson('V', p, true).dataJson!;
    expect(verbose).toContain('"VehicleSpeed":{"doubleValue":-0}');
    expect(verbose).toContain('"Odometer":{"floatValue":-0}');
    expect(verbose).toContain('"Location":{"locationValue":{"latitude":-0,"longitude":0}}');
  });
});

describe('logger alerts / errors / connectivity rendering', () => {
  it('alerts: Unix seconds, audience names, optional times, null audiences', () => {
    const a = create(VehicleAlertsType, {
      alerts: [
        {
          name: 'a1',
          audiences: [1, 2, 9],
          started_at: { seconds: 1692044886n, nanos: 337000000 },
          ended_at: { seconds: 1692044999n, nanos: 0 },
        },
        { name: 'a2', audiences: [], started_at: { seconds: 5n, nanos: 0 } },
      ],
    });
    expect(renderLoggerData('alerts', a, false)).toEqual({
      data: [
        { Name: 'a1', StartedAt: 1692044886n, EndedAt: 1692044999n, Audiences: ['Customer', 'Service', '9'] },
        { Name: 'a2', StartedAt: 5n, Audiences: null },
      ],
      events: [],
    });
  });

  it('every 64-bit time prints exactly, as Go prints an int64 (issue 14.A.2)', () => {
    const max = 9223372036854775807n;
    const a = create(VehicleAlertsType, {
      alerts: [{ name: 'a', started_at: { seconds: max, nanos: 0 }, ended_at: { seconds: 9223372036854775n, nanos: 807000000 } }],
    });
    expect(renderLoggerJson('alerts', a, false).dataJson).toBe(
      '[{"Audiences":null,"EndedAt":9223372036854775,"Name":"a","StartedAt":9223372036854775807}]',
    );
    const e = create(VehicleErrorsType, { errors: [{ name: 'e', created_at: { seconds: -max - 1n, nanos: 0 } }] });
    expect(renderLoggerJson('errors', e, false).dataJson).toBe('[{"Body":"","CreatedAt":-9223372036854775808,"Name":"e","Tags":null}]');
    const c = create(VehicleConnectivityType, { status: 1, created_at: { seconds: 2n ** 53n + 1n, nanos: 0 } });
    expect(renderLoggerJson('connectivity', c, false).dataJson).toContain('"CreatedAt":9007199254740993,');
  });

  it('errors: four keys, Tags null when empty, CreatedAt only when set', () => {
    const e = create(VehicleErrorsType, {
      errors: [
        { name: 'e1', body: 'b', tags: { k: 'v' }, created_at: { seconds: 1700000000n, nanos: 0 } },
        { name: 'e2', body: '', tags: {}, created_at: { seconds: 1n, nanos: 0 } },
        { name: 'e3' },
      ],
    });
    expect(renderLoggerData('errors', e, true).data).toEqual([
      { Name: 'e1', Body: 'b', Tags: { k: 'v' }, CreatedAt: 1700000000n },
      { Name: 'e2', Body: '', Tags: null, CreatedAt: 1n },
      { Name: 'e3', Body: '', Tags: null },
    ]);
  });

  it('connectivity: exactly five keys with ConnectionID spelling', () => {
    const c = create(VehicleConnectivityType, {
      vin: 'v',
      connection_id: 'c',
      status: 1,
      created_at: { seconds: 1700000000n, nanos: 123 },
      network_interface: 'wifi',
    });
    expect(renderLoggerData('connectivity', c, false).data).toEqual({
      Vin: 'v',
      ConnectionID: 'c',
      NetworkInterface: 'wifi',
      Status: 'CONNECTED',
      CreatedAt: 1700000000n,
    });
    expect(renderLoggerData('connectivity', create(VehicleConnectivityType, { status: 7 }), false).data).toEqual({
      Vin: '',
      ConnectionID: '',
      NetworkInterface: '',
      Status: '7',
      CreatedAt: 0n,
    });
  });

  it('other record types give an error', () => {
    expect(renderLoggerData('canlogs', undefined, false)).toEqual({ events: [], error: 'unknown txType: canlogs' });
    expect(renderLoggerJson('canlogs', undefined, false)).toEqual({ events: [], error: 'unknown txType: canlogs' });
  });

  it('the JSON form (the sink) says what the object form says, with the same events', () => {
    const cases: Array<[string, DecodedMessage]> = [
      ['alerts', create(VehicleAlertsType, { alerts: [{ name: 'a', audiences: [1, 2], started_at: { seconds: 5n, nanos: 0 } }] })],
      ['errors', create(VehicleErrorsType, { errors: [{ name: 'e', body: 'b', tags: { z: '1', a: '2', '10': 'n' } }] })],
      ['connectivity', create(VehicleConnectivityType, { vin: 'v', connection_id: 'c', status: 1 })],
      ['V', payload('vin1', [{ key: 4, value: undefined }, datum(5, { case: 'long_value', value: 2n ** 62n })])],
    ];
    for (const [type, message] of cases) {
      const object = renderLoggerData(type, message, false);
      const json = renderLoggerJson(type, message, false);
      expect(json.dataJson).toBe(sortedJsonText(object.data));
      expect(json.events).toEqual(object.events);
    }
  });
});
