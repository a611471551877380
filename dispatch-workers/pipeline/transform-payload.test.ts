import { GOLDEN_PROTOBUF as golden } from '../../shared/protobuf/testdata/golden-vectors';
import { PayloadType, VehicleAlertsType, VehicleErrorsType, decode, encode } from '../../shared/protobuf';
import type { Payload, VehicleAlerts, VehicleConnectivity, VehicleErrors } from '../../shared/protobuf';
import { transformPayload } from './transform-payload';
import type { TransformResult } from './transform-payload';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h.replace(/\s/g, ''), 'hex'));
const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8');

function ok(r: TransformResult): Extract<TransformResult, { ok: true }> {
  if (!r.ok) throw new Error(`unexpected error: ${r.error}`);
  return r;
}

describe('golden vectors', () => {
  it('V: v_payload_in ⇒ v_payload_out_for_device-1 (exact bytes)', () => {
    const r = ok(transformPayload('V', bytes(golden.v_payload_in.hex), 'device-1', false));
    expect(hex(r.payload)).toBe(golden['v_payload_out_for_device-1'].hex);
    expect(r.signals).toBe(3);
    expect((r.decoded as Payload).vin).toBe('device-1');
  });

  it('V with transmit_decoded_records ⇒ v_payload_out_json (exact string)', () => {
    const r = ok(transformPayload('V', bytes(golden.v_payload_in.hex), 'device-1', true));
    expect(text(r.payload)).toBe(golden.v_payload_out_json);
    expect(r.signals).toBe(3);
  });

  it('alerts: alerts_in ⇒ alerts_out_for_device-1', () => {
    const r = ok(transformPayload('alerts', bytes(golden.alerts_in.hex), 'device-1', false));
    expect(hex(r.payload)).toBe(golden['alerts_out_for_device-1'].hex);
    expect(r.signals).toBe(1);
  });

  it('connectivity: re-encodes unchanged for the same vin; JSON equals the vector', () => {
    const input = bytes(golden.connectivity_example.hex);
    expect(hex(ok(transformPayload('connectivity', input, 'device-1', false)).payload)).toBe(golden.connectivity_example.hex);
    const r = ok(transformPayload('connectivity', input, 'device-1', true));
    expect(text(r.payload)).toBe(golden.connectivity_example.json);
    expect(r.signals).toBe(0);
  });

  it('connectivity claiming another vin is rewritten to the DeviceID', () => {
    const r = ok(transformPayload('connectivity', bytes(golden.connectivity_example.hex), 'certVin', false));
    expect((r.decoded as VehicleConnectivity).vin).toBe('certVin');
    expect(hex(r.payload)).toBe(golden.connectivity_example.hex.replace('0a086465766963652d31', '0a07' + hex(Buffer.from('certVin'))));
  });
});

describe('record types', () => {
  it('errors: vin overwritten, JSON with sorted tags and null createdAt', () => {
    const input = encode(VehicleErrorsType, { errors: [{ name: 'e', tags: { z: '1', a: '2' }, body: 'b' }], vin: 'spoofed' });
    const r = ok(transformPayload('errors', input, '42', false));
    expect((r.decoded as VehicleErrors).vin).toBe('42');
    expect(r.signals).toBe(0);
    const j = ok(transformPayload('errors', input, '42', true));
    expect(text(j.payload)).toBe(
      '{"errors":[{"createdAt":null,"name":"e","tags":{"a":"2","z":"1"},"body":"b"}],"createdAt":null,"vin":"42"}',
    );
  });

  it('V JSON of the upstream unit test', () => {
    const input = encode(PayloadType, { data: [{ key: 64, value: { value: { case: 'string_value', value: 'cybertruck' } } }] });
    const j = ok(transformPayload('V', input, '42', true));
    expect(JSON.parse(text(j.payload))).toEqual({
      data: [{ key: 'VehicleName', value: { stringValue: 'cybertruck' } }],
      isResend: false,
      createdAt: null,
      vin: '42',
    });
  });

  it('other record types pass through untouched; JSON mode makes them {} (S6)', () => {
    const input = bytes('ff00ff');
    const r = ok(transformPayload('canlogs', input, 'device-1', false));
    expect(r.payload).toBe(input);
    expect(r.decoded).toBeUndefined();
    expect(r.signals).toBe(0);
    expect(text(ok(transformPayload('canlogs', input, 'device-1', true)).payload)).toBe('{}');
    expect(ok(transformPayload('v', input, 'device-1', false)).payload).toBe(input); // case-sensitive
  });

  it('alerts with a time beyond year 9999 encode but fail as JSON', () => {
    const input = encode(VehicleAlertsType, { alerts: [{ name: 'n', started_at: { seconds: 253402300800n, nanos: 0 } }] });
    expect(ok(transformPayload('alerts', input, 'd', false)).signals).toBe(1);
    const j = transformPayload('alerts', input, 'd', true);
    expect(j).toEqual({ ok: false, error: 'proto: google.protobuf.Timestamp: seconds out of range 253402300800' });
    // JSON is built even when no sink reads the payload: its failure is the vehicle's ERROR reply.
    expect(transformPayload('alerts', input, 'd', true, false)).toEqual(j);
    // Protobuf mode skips the re-encode then, and still hands over the decoded message.
    const skipped = ok(transformPayload('alerts', input, 'd', false, false));
    expect([skipped.payload.length, skipped.signals]).toEqual([0, 1]);
  });
});

describe('§6.2 decoding rules through the pipeline', () => {
  it('preserves unknown fields byte-exactly, including a known field with the wrong wire type', () => {
    // Payload: vin as fixed32 (known field 3, wrong wire type), unknown field 20 bytes "hi", vin "x".
    const input = bytes('1d01020304 a20102 6869 1a0178');
    const r = ok(transformPayload('V', input, 'device-1', false));
    expect(hex(r.payload)).toBe('1a08' + hex(Buffer.from('device-1')) + '1d01020304' + 'a201026869');
    // Unknown fields inside nested messages stay with their message.
    const nested = bytes('0a09 0840 1205 0a0178 2801');
    const n = ok(transformPayload('V', nested, 'd', false));
    expect(hex(n.payload)).toBe('0a0908401205' + '0a01782801' + '1a0164');
  });

  it('rejects invalid UTF-8', () => {
    const r = transformPayload('V', bytes('0a08 0840 1204 0a02 c328'), 'device-1', false);
    expect(r.ok).toBe(false);
    expect(transformPayload('errors', bytes('0a07 1a05 0a01ff1200'), 'd', false).ok).toBe(false); // map key
  });

  it('keeps int64 above 2^53 exact', () => {
    const input = bytes('0a0e 0805 120a 18 ffffffffffffffff7f');
    const r = ok(transformPayload('V', input, 'd', false));
    expect((r.decoded as Payload).data[0].value?.value).toEqual({ case: 'long_value', value: 2n ** 63n - 1n });
    expect(hex(r.payload).startsWith('0a0e0805120a18ffffffffffffffff7f')).toBe(true);
    const j = ok(transformPayload('V', input, 'd', true));
    expect(text(j.payload)).toContain('{"longValue":"9223372036854775807"}');
  });

  it.each([
    ['truncated', '0a05 0840'],
    ['field number 0', '0001'],
    ['bad wire type', '0f'],
    ['bad varint', '20 ffffffffffffffffffff01'],
  ])('returns an error for %s input', (_name, h) => {
    const r = transformPayload('V', bytes(h), 'd', false);
    expect(r.ok).toBe(false);
  });

  it('accepts packed and unpacked audiences and re-encodes them packed', () => {
    const r = ok(transformPayload('alerts', bytes('0a06 1001 1002 1003'), 'd', false));
    expect((r.decoded as VehicleAlerts).alerts[0].audiences).toEqual([1, 2, 3]);
    expect(hex(r.payload)).toBe('0a051203010203' + '1a0164');
  });

  it('oneof: the last member wins', () => {
    const r = ok(transformPayload('V', bytes('0a09 0801 1205 0a0161 3001'), 'd', false));
    expect((r.decoded as Payload).data[0].value?.value).toEqual({ case: 'boolean_value', value: true });
  });

  it('keeps unknown enum numbers', () => {
    const r = ok(transformPayload('V', bytes('0a07 08e807 12024863'), 'd', false));
    const d = (r.decoded as Payload).data[0];
    expect(d.key).toBe(1000);
    expect(d.value?.value).toEqual({ case: 'shift_state_value', value: 99 });
    expect(hex(r.payload)).toBe('0a0708e80712024863' + '1a0164');
    const j = ok(transformPayload('V', bytes('0a07 08e807 12024863'), 'd', true));
    expect(text(j.payload)).toBe('{"data":[{"key":1000,"value":{"shiftStateValue":99}}],"createdAt":null,"vin":"d","isResend":false}');
  });

  it('does not decode payloads of other record types', () => {
    expect(transformPayload('canlogs', bytes('0000'), 'd', false).ok).toBe(true);
  });

  it('decode of the output equals the transformed message', () => {
    const r = ok(transformPayload('V', bytes(golden.v_payload_in.hex), 'device-1', false));
    const back = decode(PayloadType, r.payload);
    expect(back).toEqual({ ok: true, message: r.decoded });
  });
});

describe('values a consumer reads exactly as upstream writes them (issue 19)', () => {
  const vin = (id: string) => `1a${id.length.toString(16).padStart(2, '0')}${Buffer.from(id).toString('hex')}`;

  it('a NaN keeps its payload bits: float, double and location coordinates leave as they came', () => {
    const values = [
      '250100807f', // float_value: signalling NaN with payload (a JS number would make it 01 00 c0 7f)
      '29010000000000f07f', // double_value: signalling NaN
      '3a12' + '09010000000000f07f' + '110000000000000040', // location_value {latitude: sNaN, longitude: 2}
    ];
    for (const value of values) {
      const datum = `080412${(value.length / 2).toString(16).padStart(2, '0')}${value}`;
      const payload = `0a${(datum.length / 2).toString(16).padStart(2, '0')}${datum}`;
      const r = ok(transformPayload('V', bytes(payload), 'device-1', false));
      expect(hex(r.payload)).toBe(payload + vin('device-1'));
    }
  });

  it('a location string with nan gets the NaN bits of Go ParseFloat (payload 1, sign flipped for S/W)', () => {
    const cases: [string, string][] = [
      ['(nan N, NaN W)', '3a12' + '09010000000000f87f' + '11010000000000f8ff'],
      ['(nan S, 0 E)', '3a09' + '09010000000000f8ff'],
      ['(1 N, nan E)', '3a12' + '09000000000000f03f' + '11010000000000f87f'],
    ];
    for (const [text, value] of cases) {
      const input = Buffer.from(text).toString('hex');
      const inDatum =
        `0815 12${(input.length / 2 + 2).toString(16).padStart(2, '0')} 0a${(input.length / 2).toString(16).padStart(2, '0')}${input}`.replace(
          / /g,
          '',
        );
      const r = ok(transformPayload('V', bytes(`0a${(inDatum.length / 2).toString(16).padStart(2, '0')}${inDatum}`), 'device-1', false));
      const outDatum = `081512${(value.length / 2).toString(16).padStart(2, '0')}${value}`;
      expect(hex(r.payload)).toBe(`0a${(outDatum.length / 2).toString(16).padStart(2, '0')}${outDatum}` + vin('device-1'));
    }
  });

  it('a value no transform rewrote is re-encoded as protobuf-go does (last oneof member only)', () => {
    // Value{string_value: "A", int_value: 5}: the last member wins and alone is written.
    const r = ok(transformPayload('V', bytes('0a09 0804 1205 0a0141 1005'), 'device-1', false));
    expect(hex(r.payload)).toBe('0a0608041202' + '1005' + vin('device-1'));
  });

  it('a rewritten Value is a new Value: its unknown fields are dropped, as upstream (the Datum keeps its own)', () => {
    // Datum{key: Location, value: Value{string_value: "(1 N, 2 E)", field 999: 1}, field 15: 7}
    const value = '0a0a' + Buffer.from('(1 N, 2 E)').toString('hex') + 'b83e01';
    const datum = `0815 120f${value} 7807`.replace(/ /g, '');
    const r = ok(transformPayload('V', bytes(`0a15${datum}`), 'device-1', false));
    const location = '3a12' + '09000000000000f03f' + '110000000000000040';
    expect(hex(r.payload)).toBe(`0a1a08151214${location}7807` + vin('device-1'));
    // The same for the scientific-notation rewrite; an unknown field in a Value left alone stays.
    const sci = '0a0a' + Buffer.from('1.5000e+00').toString('hex') + 'b83e01';
    const kept = '0a01' + '41' + 'b83e01';
    const r2 = ok(transformPayload('V', bytes(`0a13 0804 120f${sci} 0a0a 0805 1206${kept}`.replace(/ /g, '')), 'device-1', false));
    const sciOut = '0a07' + Buffer.from('1.50000').toString('hex');
    expect(hex(r2.payload)).toBe(`0a0d 0804 1209${sciOut} 0a0a 0805 1206${kept}`.replace(/ /g, '') + vin('device-1'));
  });
});
