import { GOLDEN_PROTOBUF as golden } from '../../shared/protobuf/testdata/golden-vectors';
import { encode, messageTypeByName, payloadTypeFor } from '../../shared/protobuf';
import type { MessageType } from '../../shared/protobuf';
import { Kind } from '../../shared/protobuf/schema';
import { WireCursor, unknownField } from '../../shared/protobuf/canonical';
import { alertsPayload, errorsPayload, seededRandom, vehicleDataPayload } from '../../bench/vehicle/records';
import { mutateBytes, mutateProtobuf } from '../../test/fuzz/mutate';
import { passthroughPayload } from './passthrough-payload';
import { transformPayload } from './transform-payload';
import type { TransformResult } from './transform-payload';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h.replace(/\s/g, ''), 'hex'));
/** A length-delimited field: tag, length, content (hex, spaces ignored). */
const ld = (tag: string, content: string): string => {
  const n = content.replace(/\s/g, '').length / 2;
  return (
    tag + (n < 0x80 ? n.toString(16).padStart(2, '0') : ((n & 0x7f) | 0x80).toString(16) + (n >> 7).toString(16).padStart(2, '0')) + content
  );
};
const TYPES = ['V', 'alerts', 'errors', 'connectivity'] as const;
type RecordType = (typeof TYPES)[number];

/** What a vehicle (the reply) and a sink (bytes, signal count) see of a result. */
const seen = (r: TransformResult) => (r.ok ? { payload: hex(r.payload), signals: r.signals } : { error: r.error });

/**
 * Runs both paths on one input and expects the same result; answers whether the passthrough made it
 * (rather than handing it to the full path).
 */
function agree(recordType: string, payload: Uint8Array, deviceId: string, payloadNeeded = true): boolean {
  const full = transformPayload(recordType, payload, deviceId, false, payloadNeeded, true);
  const fast = transformPayload(recordType, payload, deviceId, false, payloadNeeded, false);
  expect({ input: hex(payload), recordType, deviceId, payloadNeeded, ...seen(fast) }).toEqual({
    input: hex(payload),
    recordType,
    deviceId,
    payloadNeeded,
    ...seen(full),
  });
  if (fast.ok)
    expect(fast.decoded === undefined).toBe(
      passthroughPayload(recordType, payloadTypeFor(recordType)!, payload, deviceId, payloadNeeded) !== undefined,
    );
  return passthroughPayload(recordType, payloadTypeFor(recordType)!, payload, deviceId, payloadNeeded) !== undefined;
}

const DEVICE_IDS = ['device-1', '5YJ3E1EA7KF100001', '', 'Ünïcödé-😀', 'x'.repeat(200)];

const LOCATIONS = [
  '(37.412374 N, 122.145867 W)',
  '(37.412374 S, 122.145867 E)',
  '(0 N, 0 E)',
  '(-0 N, 0 W)',
  '(0.0 S, -0 E)',
  '(nan N, 1 E)',
  '(inf N, -inf W)',
  '(1e400 N, 1 E)',
  '(0x1.8p3 N, 1_000.5 E)',
  '(1.5p3 N, 2 E)',
  '( 1 N, 2 E)trailing',
  '(1\tN,\u00a02 E)',
  '(1 N,\n2 E)',
  '(1 Q, 2 W)',
  '(37.412374 N, 122.145867 W',
  'Abhishek is NOT a location',
];
const SCIENTIFIC = [
  '1.1920928955078125e-05',
  '1.23e-9',
  '-1.0e-9',
  '1.0e30',
  '1e-3',
  '0.03',
  '3',
  '.5e1',
  '5.e-1',
  '+1.5E+2',
  '1.0e-50',
  '3.4028235e38',
  '3.5e38',
  '-0.0e0',
  '1.5e',
  'e5',
  '1.2.3e4',
  '1.17549435e-38',
  '0.1000000000000000000000000000001e1',
  '9'.repeat(130) + '.5e-100',
];

/** Random values of every kind, biased to the edges the canonical check cares about. */
class Generator {
  constructor(readonly rand: () => number) {}
  int = (n: number): number => Math.floor(this.rand() * n);
  pick = <T>(items: readonly T[]): T => items[this.int(items.length)];

  text(): string {
    switch (this.int(6)) {
      case 0:
        return this.pick(LOCATIONS);
      case 1:
      case 2:
        return this.pick(SCIENTIFIC);
      case 3:
        return '';
      default: {
        const alphabet = [...this.pick(['abc019.e+-', 'ÄéЖ中😀\ufeff\ufffd', '\u0000 ()NSEW,'])];
        return Array.from({ length: this.int(20) }, () => this.pick(alphabet)).join('');
      }
    }
  }

  scalar(kind: Kind, name: string): unknown {
    switch (kind) {
      case Kind.String:
        return this.text();
      case Kind.Bytes:
        return Uint8Array.from({ length: this.int(4) }, () => this.int(256));
      case Kind.Bool:
        return this.rand() < 0.5;
      case Kind.Int32:
      case Kind.Enum:
        if (name === 'key') return this.pick([21, 21, 64, 106, 0, 259, 1000, -1]);
        return this.pick([0, 1, 5, 127, 128, 2 ** 31 - 1, -1, -(2 ** 31), this.int(300)]);
      case Kind.Float:
      case Kind.Double:
        return this.pick([0, -0, 1.5, -2.25, NaN, Infinity, -Infinity, 5e-324, 1e-40, 3.4e38, this.rand() * 1000]);
      default: {
        if (name === 'seconds')
          return this.pick([0n, 1n, -1n, 1_700_000_000n, 253402300800n, 315575999999n, 315576000000n, 1692044886337n, -(2n ** 63n)]);
        if (name === 'nanos') return this.pick([0, 1, 999_999_999, -1]);
        return this.pick([0n, 1n, -1n, 2n ** 53n + 1n, 2n ** 63n - 1n, -(2n ** 63n)]);
      }
    }
  }

  message(type: MessageType, depth = 0): Record<string, unknown> {
    const msg: Record<string, unknown> = {};
    for (const f of type.fields) {
      if (f.oneof !== '' || this.rand() < 0.3) continue;
      const one = (): unknown => (f.kind === Kind.Message ? this.message(f.message!, depth + 1) : this.scalar(f.kind, f.name));
      if (f.isMap) {
        const map: Record<string, string> = {};
        for (let i = this.int(3); i > 0; i--) map[this.text()] = this.text();
        msg[f.name] = map;
      } else if (f.repeated) msg[f.name] = Array.from({ length: this.int(depth === 0 ? 12 : 3) }, one);
      else msg[f.name] = one();
    }
    // Unknown fields (a newer firmware's): encode appends them after the known ones.
    if (this.rand() < 0.15) msg.$unknown = Array.from({ length: 1 + this.int(2) }, () => this.unknownField(type));
    for (const oneof of type.oneofs) {
      const members = Object.values(oneof.members);
      if (this.rand() < 0.1) continue;
      // Strings half the time: they are what the transforms look at.
      const f = this.rand() < 0.5 ? (oneof.members.string_value ?? this.pick(members)!) : this.pick(members)!;
      msg[oneof.name] = {
        case: f.name,
        value: f.kind === Kind.Message ? this.message(f.message!, depth + 1) : this.scalar(f.kind, f.name),
      };
    }
    return msg;
  }

  /** One field with a number `type` does not know, of wire type varint, fixed64, bytes, fixed32 or (rarely) a group. */
  unknownField(type: MessageType): Uint8Array {
    let num = 0;
    while (num === 0 || (num < type.byNumber.length && type.byNumber[num] !== undefined)) num = 1 + this.int(300);
    const tag = (wt: number): number[] => {
      const out: number[] = [];
      for (let v = (num << 3) | wt; ; v >>>= 7) {
        if (v < 0x80) return [...out, v];
        out.push((v & 0x7f) | 0x80);
      }
    };
    switch (this.int(5)) {
      case 0:
        return Uint8Array.from([...tag(0), ...this.pick([[0], [1], [0x80, 0x01], [0xff, 0xff, 0xff, 0xff, 0x0f]])]);
      case 1:
        return Uint8Array.from([...tag(1), 1, 2, 3, 4, 5, 6, 7, 8]);
      case 2:
        return Uint8Array.from([...tag(2), 3, 0x61, 0x62, 0x63]);
      case 3:
        return Uint8Array.from([...tag(5), 1, 2, 3, 4]);
      default:
        return Uint8Array.from([...tag(3), ...tag(4)]);
    }
  }

  payload(recordType: RecordType): Uint8Array {
    return encode(payloadTypeFor(recordType)! as MessageType<unknown>, this.message(payloadTypeFor(recordType)!) as never);
  }
}

describe('passthrough: the same bytes and replies as decode → transform → encode', () => {
  it('golden vectors', () => {
    const v = bytes(golden.v_payload_in.hex);
    expect(agree('V', v, 'device-1')).toBe(true);
    const fast = transformPayload('V', v, 'device-1', false, true, false);
    expect(fast.ok && hex(fast.payload)).toBe(golden['v_payload_out_for_device-1'].hex);
    expect(fast.ok && fast.decoded).toBeUndefined();
    const connectivity = bytes(golden.connectivity_example.hex);
    expect(agree('connectivity', connectivity, 'device-1')).toBe(true);
    expect(agree('connectivity', connectivity, 'certVin')).toBe(true);
    // The alert time in milliseconds is the full path's to fix.
    expect(agree('alerts', bytes(golden.alerts_in.hex), 'device-1')).toBe(false);
  });

  it('the bench records (real V records): every one takes the passthrough', () => {
    const rand = seededRandom(7);
    for (let i = 0; i < 300; i++) {
      const vin = rand() < 0.5 ? 'device-1' : 'other-vin';
      const payload = vehicleDataPayload(vin, 1 + Math.floor(rand() * 60), rand);
      for (const deviceId of ['device-1', '']) expect(agree('V', payload, deviceId)).toBe(true);
      expect(agree('V', payload, 'device-1', false)).toBe(true);
    }
    expect(agree('alerts', alertsPayload('device-1', rand), 'device-1')).toBe(true);
    // Map fields (error tags) go the full path: encode writes them in JS key order.
    expect(agree('errors', errorsPayload('device-1'), 'device-1')).toBe(false);
  });

  it('an unchanged payload is handed on as it came (no copy)', () => {
    const payload = encode(payloadTypeFor('V'), {
      data: [{ key: 64, value: { value: { case: 'string_value', value: 'cybertruck' } } }],
      vin: 'd',
    });
    const r = transformPayload('V', payload, 'd', false, true, false);
    expect(r.ok && r.payload).toBe(payload);
  });

  it('generated messages of all four types, every value kind, transform strings, DeviceIDs', () => {
    const g = new Generator(seededRandom(11));
    let taken = 0;
    let total = 0;
    for (let i = 0; i < 4000; i++) {
      const recordType = g.pick(TYPES);
      const payload = g.payload(recordType);
      total++;
      if (agree(recordType, payload, g.pick(DEVICE_IDS), g.rand() < 0.8)) taken++;
    }
    // Most are canonical (encode made them); NaN, map entries and alert times in ms go the full path.
    expect(taken / total).toBeGreaterThan(0.3);
  });

  it('explicit zero fields (what encode omits) inserted at field boundaries, also where the vin goes', () => {
    const g = new Generator(seededRandom(31));
    let zeros = 0;
    for (let i = 0; i < 3000; i++) {
      const recordType = g.pick(TYPES);
      const type = payloadTypeFor(recordType)!;
      const payload = g.payload(recordType);
      // The top-level field boundaries of a valid payload.
      const boundaries = [0];
      const c = new WireCursor(payload);
      while (c.pos < payload.length && c.tag(payload.length)) {
        if (!unknownField(c, c.lo & 7, payload.length)) break;
        boundaries.push(c.pos);
      }
      const f = g.pick(type.fields.filter((x) => !x.repeated && !x.isMap && x.kind !== Kind.Message));
      const zero = f.wireType === 1 ? [0, 0, 0, 0, 0, 0, 0, 0] : f.wireType === 5 ? [0, 0, 0, 0] : [0];
      const at = g.pick(boundaries);
      const mutated = Uint8Array.from([...payload.subarray(0, at), (f.number << 3) | f.wireType, ...zero, ...payload.subarray(at)]);
      if (agree(recordType, mutated, g.pick(DEVICE_IDS))) zeros++;
    }
    // Only a zero vin can pass (it is replaced); every other explicit zero is left to the full path.
    expect(zeros).toBeLessThan(3000 / 4);
  });

  it('fuzzed payloads (the fuzzer’s protobuf-aware and byte mutations): same bytes or same error', () => {
    const rand = seededRandom(23);
    const g = new Generator(rand);
    let errors = 0;
    for (let i = 0; i < 12000; i++) {
      const recordType = g.pick(TYPES);
      let payload = recordType === 'V' && rand() < 0.5 ? vehicleDataPayload('vin', 1 + g.int(20), rand) : g.payload(recordType);
      for (let k = 1 + g.int(3); k > 0; k--) payload = rand() < 0.7 ? mutateProtobuf(rand, payload) : mutateBytes(rand, payload);
      agree(recordType, payload, g.pick(DEVICE_IDS), rand() < 0.8);
      if (!transformPayload(recordType, payload, 'd', false).ok) errors++;
    }
    expect(errors).toBeGreaterThan(1000); // the mutations reach the error paths
  });

  it.each([
    ['non-minimal varint in a key', '0a04 088000 1200'],
    ['non-minimal length', '0a0a 0840 128005 0a030a0161'.replace(/\s/g, '')],
    ['a zero key written out', '0a04 0800 1200'],
    ['is_resend false written out', '2000'],
    ['is_resend 2', '2002'],
    ['datum fields out of order', '0a06 1202 0a00 0840'],
    ['data after vin', '1a0178 0a02 0840'],
    ['created_at twice', '1200 1200'],
    ['two oneof members', '0a08 0840 1204 0a00 3001'],
    ['an unknown field in a Value', '0a08 0840 1204 0a00 f801'],
    ['an unknown top-level field', 'f80101'],
    ['int32 out of range', '0a0b 0840 1207 10ffffffff0f'],
    ['int32 negative', '0a10 0840 120c 10ffffffffffffffffff01'],
    ['a float NaN', '0a0a 0840 1206 250000c07f'],
    ['double -0.0', '0a0e 0840 120a 290000000000000080'],
    ['a signalling double NaN', '0a0e 0840 120a 29010000000000f07f'],
    ['invalid UTF-8 in the vin', '1a02c328'],
    ['invalid UTF-8 in a string value', '0a08 0840 1204 0a02c328'],
    ['valid UTF-8 with a BOM and U+FFFD', '0a0c 0840 1208 0a06efbbbfefbfbd'],
    ['a varint overflow', '0a0e 0840 120a 18ffffffffffffffffff02'],
    ['a truncated datum', '0a08 0840'],
    ['a group', '0b0c'],
    ['trailing unknown fields in a Value kept', ld('0a', '0840' + ld('12', '0a0161 a01f01'))],
    ['an unknown field before a known one', ld('0a', '0840' + ld('12', 'a01f01 0a0161'))],
    [
      'a transformed location drops its Value’s unknown fields, keeps its Datum’s',
      ld('0a', '0815' + ld('12', ld('0a', hex(Buffer.from('(37.412374 S, 122.145867 E)'))) + 'a01f01') + 'a01f02'),
    ],
    [
      'a transformed scientific string, unknown fields after',
      ld('0a', '086a' + ld('12', ld('0a', hex(Buffer.from('1.5e-03'))) + 'a01f01') + 'a01f02'),
    ],
    ['trailing unknown top-level fields, no vin: vin goes before them', ld('0a', '0840 1200') + 'a01f01 2a0178'],
    ['trailing unknown top-level fields after vin', '1a0178 a01f01'],
    ['an empty vin field', '1a00'],
    ['an empty vin field before is_resend', '0a020840 1a00 2001'],
    ['a location string parsed to NaN', `0a15 0815 1211 0a0f ${hex(Buffer.from('(nan N, 1.5 E)'))}`],
    ['a second Location datum is left alone', `0a05 0815 1201 00 0a21 0815 121d 0a1b ${hex(Buffer.from('(37.412374 S, 122.145867 E)'))}`],
  ])('%s', (_name, h) => {
    for (const deviceId of ['d', '']) agree('V', bytes(h), deviceId);
  });

  it('unknown fields after the known ones take the passthrough (a newer firmware’s fields)', () => {
    const cases = [
      ld('0a', '0840' + ld('12', '0a0161 a01f01')),
      ld('0a', '0815' + ld('12', ld('0a', hex(Buffer.from('(37.412374 S, 122.145867 E)'))) + 'a01f01') + 'a01f02'),
      ld('0a', '0840 1200') + 'a01f01 2a0178',
    ];
    for (const h of cases) expect(agree('V', bytes(h), 'd')).toBe(true);
    expect(agree('V', bytes(ld('0a', '0840' + ld('12', 'a01f01 0a0161'))), 'd')).toBe(false);
  });

  it('a DeviceID that UTF-8 cannot encode gets the full path’s error', () => {
    const payload = bytes(golden.v_payload_in.hex);
    expect(agree('V', payload, '\ud800')).toBe(false);
    expect(transformPayload('V', payload, '\ud800', false, true, false).ok).toBe(false);
    expect(agree('V', payload, '\ud800', false)).toBe(true); // nothing is encoded then
  });

  it('alerts: packed audiences pass, unpacked ones and millisecond times go the full path', () => {
    expect(agree('alerts', bytes('0a051203010203'), 'd')).toBe(true);
    expect(agree('alerts', bytes('0a06 1001 1002 1003'), 'd')).toBe(false);
    expect(agree('alerts', bytes('0a09 1a07 08c182f0ad9f31'), 'd')).toBe(false);
    expect(agree('alerts', bytes('0a08 1a06 08ffc5cecb04'), 'd')).toBe(true); // 315575999999: seconds
  });

  it('every Value member kind that encode writes passes (canonical check covers the schema)', () => {
    const value = messageTypeByName('telemetry.vehicle_data.Value');
    const g = new Generator(seededRandom(3));
    for (const f of value.fields) {
      const member =
        f.kind === Kind.Message
          ? g.message(f.message!, 1)
          : f.kind === Kind.String
            ? 'plain'
            : f.kind === Kind.Float || f.kind === Kind.Double
              ? 1.5
              : g.scalar(f.kind, f.name);
      const payload = encode(payloadTypeFor('V'), { data: [{ key: 5, value: { value: { case: f.name, value: member } as never } }] });
      expect([f.name, agree('V', payload, 'd')]).toEqual([f.name, true]);
    }
  });
});
