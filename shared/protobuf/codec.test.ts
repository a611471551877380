import {
  PayloadType,
  VehicleAlertsType,
  VehicleConnectivityType,
  VehicleErrorsType,
  create,
  decode,
  encode,
  messageTypeByName,
  tryEncode,
} from './index';
import type { MessageType, Payload, Value, VehicleAlerts, VehicleConnectivity, VehicleErrors } from './index';

import { GOLDEN_PROTOBUF as golden } from './testdata/golden-vectors';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h.replace(/\s/g, ''), 'hex'));
const ValueType = messageTypeByName('telemetry.vehicle_data.Value');
const TimestampType = messageTypeByName('google.protobuf.Timestamp');

function ok<T>(r: { ok: true; message: T } | { ok: false; error: string }): T {
  if (!r.ok) throw new Error(`unexpected decode error: ${r.error}`);
  return r.message;
}

describe('golden vectors (spec golden-vectors.json "protobuf")', () => {
  it('decodes v_payload_in field by field', () => {
    const p = ok(decode(PayloadType, bytes(golden.v_payload_in.hex)));
    expect(p.vin).toBe('BAD123');
    expect(p.is_resend).toBe(false);
    expect(p.created_at).toEqual({ seconds: 1700000000n, nanos: 5000000, $unknown: undefined });
    expect(p.data.map((d) => d.key)).toEqual([64, 21, 106]);
    expect(p.data.map((d) => d.value?.value)).toEqual([
      { case: 'string_value', value: 'My Test Vehicle' },
      { case: 'string_value', value: '(37.412374 S, 122.145867 E)' },
      { case: 'string_value', value: '1.1920928955078125e-05' },
    ]);
  });

  it.each([
    ['v_payload_in', PayloadType],
    ['v_payload_out_for_device-1', PayloadType],
    ['alerts_in', VehicleAlertsType],
    ['alerts_out_for_device-1', VehicleAlertsType],
    ['connectivity_example', VehicleConnectivityType],
  ] as const)('re-encodes %s byte-exactly', (name, type) => {
    const input = golden[name].hex;
    const t = type as MessageType;
    const m = ok(decode(t, bytes(input)));
    expect(hex(encode(t, m))).toBe(input);
  });

  it('decodes connectivity_example', () => {
    const c = ok(decode(VehicleConnectivityType, bytes(golden.connectivity_example.hex)));
    expect(c).toMatchObject({
      vin: 'device-1',
      connection_id: '6ba7b810-9dad-11d1-80b4-00c04fd430c8',
      status: 1,
      network_interface: 'wifi',
    });
    expect(c.created_at).toMatchObject({ seconds: 1700000000n, nanos: 123456789 });
  });

  it('decodes packed audiences and a millisecond seconds value exactly', () => {
    const a = ok(decode(VehicleAlertsType, bytes(golden.alerts_in.hex)));
    expect(a.alerts[0].audiences).toEqual([1, 2]);
    expect(a.alerts[0].started_at?.seconds).toBe(1692044886337n);
  });
});

describe('decoding rules (§6.2)', () => {
  it('keeps unknown fields and wrong-wire-type known fields, re-emitted after known fields in read order', () => {
    // field 9 varint 5 (unknown), vin as varint (known, wrong wire type), field 3 string "x", field 10 fixed32
    const input = bytes('4805 1807 1a0178 55 01020304');
    const p = ok(decode(PayloadType, input));
    expect(p.vin).toBe('x');
    expect(p.$unknown?.map(hex)).toEqual(['4805', '1807', '5501020304']);
    expect(hex(encode(PayloadType, p))).toBe('1a0178' + '4805' + '1807' + '5501020304');
  });

  it('copies unknown bytes, so reusing a Buffer input does not corrupt them', () => {
    const input = Buffer.from('48051a0178', 'hex');
    const p = ok(decode(PayloadType, input));
    input.fill(0);
    expect(p.$unknown?.map(hex)).toEqual(['4805']);
    expect(p.$unknown?.[0]).not.toBeInstanceOf(Buffer);
  });

  it('skips unknown groups (nested) and keeps them raw', () => {
    // field 15 start group { field 1 varint 1, field 16 start group {} end 16 } end 15
    const input = bytes('7b 0801 8301 8401 7c');
    const p = ok(decode(PayloadType, input));
    expect(p.$unknown?.map(hex)).toEqual(['7b0801830184017c']);
    expect(hex(encode(PayloadType, p))).toBe('7b0801830184017c');
  });

  it.each([
    ['truncated length', '1a05 7878'],
    ['truncated varint', '2080'],
    ['truncated fixed64 (double latitude)', '0909 0102'],
    ['varint longer than 10 bytes', '20 ffffffffffffffffff7f'],
    ['10th varint byte above 1', '20 ffffffffffffffffff02'],
    ['field number 0', '0001'],
    ['field number above 2^29-1', '808080801001'],
    ['wire type 6', '1e'],
    ['wire type 7', '1f'],
    ['end group without start', '7c'],
    ['mismatched end group', '7b 84 01'],
    ['unterminated group', '7b 0801'],
    ['invalid UTF-8 in vin', '1a02c328'],
    ['invalid UTF-8 (surrogate code point)', '1a03eda080'],
    ['invalid UTF-8 in a nested string_value', '0a06 1204 0a02ff00'],
  ])('returns an error value for %s', (_name, h) => {
    const r = decode(PayloadType, bytes(h));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/^proto: /);
  });

  it('validates long strings too (native path), accepting a genuine U+FFFD', () => {
    const good = Buffer.from('a long vin with \ufffd and é inside', 'utf8');
    const p = ok(decode(PayloadType, new Uint8Array([0x1a, good.length, ...good])));
    expect(p.vin).toBe('a long vin with \ufffd and é inside');
    const bad = Buffer.concat([Buffer.from('a long ascii prefix '), Buffer.from([0xc3, 0x28])]);
    expect(decode(PayloadType, new Uint8Array([0x1a, bad.length, ...bad])).ok).toBe(false);
    const overlong = Buffer.concat([Buffer.from('a long ascii prefix '), Buffer.from([0xc0, 0xaf])]);
    expect(decode(PayloadType, new Uint8Array([0x1a, overlong.length, ...overlong])).ok).toBe(false);
    const longAscii = 'x'.repeat(300);
    expect(ok(decode(PayloadType, encode(PayloadType, { vin: longAscii }))).vin).toBe(longAscii);
  });

  it('accepts valid multi-byte UTF-8 and keeps a leading BOM', () => {
    const p = ok(decode(PayloadType, bytes('1a09efbbbf c3a9 f09f9a97')));
    expect(p.vin).toBe('\ufeffé\u{1f697}');
    expect(hex(encode(PayloadType, p))).toBe('1a09efbbbfc3a9f09f9a97');
    const long = ok(decode(PayloadType, bytes('1a10efbbbf' + '41'.repeat(13))));
    expect(long.vin).toBe('\ufeff' + 'A'.repeat(13));
  });

  it('keeps int64 above 2^53 exact, including negatives', () => {
    const v = ok(decode(ValueType, bytes('18 ffffffffffffffffff01'))) as Value;
    expect(v.value).toEqual({ case: 'long_value', value: -1n });
    expect(hex(encode(ValueType, v))).toBe('18ffffffffffffffffff01');
    const big = ok(decode(ValueType, bytes('18 8180808080808010'))) as Value;
    expect(big.value).toEqual({ case: 'long_value', value: 2n ** 53n + 1n });
    expect(hex(encode(ValueType, big))).toBe('188180808080808010');
    const max = { value: { case: 'long_value', value: 9223372036854775807n } };
    expect(hex(encode(ValueType, max))).toBe('18ffffffffffffffff7f');
    expect((ok(decode(ValueType, bytes('18ffffffffffffffff7f'))) as Value).value).toEqual(max.value);
  });

  it('keeps unknown enum numbers (open enums)', () => {
    const v = ok(decode(ValueType, bytes('4863'))) as Value;
    expect(v.value).toEqual({ case: 'shift_state_value', value: 99 });
    expect(hex(encode(ValueType, v))).toBe('4863');
  });

  it('accepts packed and unpacked audiences, re-encodes packed', () => {
    const unpacked = ok(decode(VehicleAlertsType, bytes('0a06 1001 1002 1003')));
    expect(unpacked.alerts[0].audiences).toEqual([1, 2, 3]);
    expect(hex(encode(VehicleAlertsType, unpacked))).toBe('0a051203010203');
    const mixed = ok(decode(VehicleAlertsType, bytes('0a06 12020102 1003')));
    expect(mixed.alerts[0].audiences).toEqual([1, 2, 3]);
  });

  it('oneof: the last member seen wins', () => {
    const v = ok(decode(ValueType, bytes('0a0161 1005 3001'))) as Value;
    expect(v.value).toEqual({ case: 'boolean_value', value: true });
    expect(hex(encode(ValueType, v))).toBe('3001');
  });

  it('merges repeated occurrences of a singular message field', () => {
    const p = ok(decode(PayloadType, bytes('1202 0805 1202 1007')));
    expect(p.created_at).toMatchObject({ seconds: 5n, nanos: 7 });
    const v = ok(decode(ValueType, bytes('3a09 09000000000000f03f 3a09 11000000000000f03f'))) as Value;
    expect(v.value).toMatchObject({ case: 'location_value', value: { latitude: 1, longitude: 1 } });
  });

  it('decodes map entries (missing key/value default to "", later duplicates win)', () => {
    const e = ok(decode(VehicleErrorsType, bytes('0a0f 1a06 0a016b120176 1a03 120177 1a00')));
    expect({ ...e.errors[0].tags }).toEqual({ k: 'v', '': '' });
  });

  it('float32 values are exact and survive re-encoding', () => {
    const v = ok(decode(ValueType, bytes('25cdcccc3d'))) as Value;
    expect(v.value).toEqual({ case: 'float_value', value: Math.fround(0.1) });
    expect(hex(encode(ValueType, v))).toBe('25cdcccc3d');
  });
});

describe('encoding rules (§6.4)', () => {
  it('writes oneof members even at their zero value', () => {
    expect(hex(encode(ValueType, { value: { case: 'int_value', value: 0 } }))).toBe('1000');
    expect(hex(encode(ValueType, { value: { case: 'string_value', value: '' } }))).toBe('0a00');
    expect(hex(encode(ValueType, { value: { case: 'location_value', value: { latitude: 0, longitude: 0 } } }))).toBe('3a00');
  });

  it('omits zero implicit-presence scalars but writes -0.0 and set (even empty) messages', () => {
    const LocationType = messageTypeByName('telemetry.vehicle_data.LocationValue');
    expect(hex(encode(LocationType, { latitude: 0, longitude: -0 }))).toBe('110000000000000080');
    expect(hex(encode(PayloadType, create(PayloadType)))).toBe('');
    const alerts: VehicleAlerts = create(VehicleAlertsType, {
      alerts: [{ name: '', audiences: [], started_at: { seconds: 0n, nanos: 0 }, ended_at: undefined }],
    });
    expect(hex(encode(VehicleAlertsType, alerts))).toBe('0a021a00');
  });

  it('writes fields in field-number order regardless of object key order', () => {
    const p = {
      vin: 'v',
      is_resend: true,
      created_at: { nanos: 1, seconds: 2n },
      data: [{ value: { value: { case: 'int_value', value: 1 } }, key: 4 }],
    };
    expect(hex(encode(PayloadType, p as Payload))).toBe('0a06080412021001' + '120408021001' + '1a0176' + '2001');
  });

  it('writes negative int32 and enum values as 10-byte varints', () => {
    expect(hex(encode(ValueType, { value: { case: 'int_value', value: -1 } }))).toBe('10ffffffffffffffffff01');
    expect(hex(encode(ValueType, { value: { case: 'shift_state_value', value: -2 } }))).toBe('48feffffffffffffffff01');
    expect(hex(encode(TimestampType, { seconds: -1n, nanos: -1 }))).toBe('08ffffffffffffffffff01' + '10ffffffffffffffffff01');
  });

  it('writes map entries with both key and value, even when empty', () => {
    const e: VehicleErrors = create(VehicleErrorsType, { errors: [{ created_at: undefined, name: '', tags: { '': '' }, body: '' }] });
    expect(hex(encode(VehicleErrorsType, e))).toBe('0a06' + '1a04' + '0a001200');
  });

  it('uses multi-byte length prefixes for long submessages', () => {
    const name = 'n'.repeat(200);
    const out = encode(VehicleAlertsType, { alerts: [{ name }] });
    expect(hex(out.subarray(0, 6))).toBe('0acb010ac801');
    const back = ok(decode(VehicleAlertsType, out));
    expect(back.alerts[0].name).toBe(name);
    const many = encode(PayloadType, {
      data: Array.from({ length: 3000 }, (_, i) => ({
        key: i % 260,
        value: { value: { case: 'string_value' as const, value: 'x'.repeat(i % 7) } },
      })),
    });
    expect(ok(decode(PayloadType, many)).data).toHaveLength(3000);
  });

  it('rejects strings that are not valid UTF-16 (lone surrogates) and wrong value types as error values', () => {
    expect(tryEncode(PayloadType, { vin: 'a\ud800b' })).toEqual({ ok: false, error: expect.stringMatching(/invalid UTF-8/) });
    expect(tryEncode(PayloadType, { vin: 5 as unknown as string }).ok).toBe(false);
    expect(tryEncode(ValueType, { value: { case: 'nope', value: 1 } }).ok).toBe(false);
    expect(() => encode(PayloadType, { vin: '\udc00' })).toThrow(/invalid UTF-8/);
  });

  it('encodes a connectivity message built by hand', () => {
    const c: Partial<VehicleConnectivity> = {
      vin: 'device-1',
      connection_id: '6ba7b810-9dad-11d1-80b4-00c04fd430c8',
      status: 1,
      created_at: { seconds: 1700000000n, nanos: 123456789 },
      network_interface: 'wifi',
    };
    expect(hex(encode(VehicleConnectivityType, c))).toBe(golden.connectivity_example.hex);
  });
});
