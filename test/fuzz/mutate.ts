/**
 * Fuzz inputs: valid vehicle frames (PROTOCOL.md §4, §6) and mutations of them, structure-aware
 * for the FlatBuffers envelope (root offset, vtable entries, field offsets, the union type byte) and
 * for protobuf payloads (field tags, wire types, varints, length prefixes), plus byte-level ones.
 * Everything derives from the seeded PRNG, and nothing reads the clock, so a seed replays exactly.
 */
import { decode, encode, payloadTypeFor } from '../../shared/protobuf';
import type { MessageInit, VehicleAlerts, VehicleConnectivity, VehicleErrors } from '../../shared/protobuf';
import { writeStream } from '../../shared/envelope/write-frame';
import { seededRandom, vehicleDataPayload } from '../../bench/vehicle/records';
import { FUZZ_SENDER, FUZZ_VIN } from './in-process-gateway';

export type Random = () => number;

export interface FuzzFrame {
  bytes: Uint8Array;
  /** A well-formed frame of a configured type from this vehicle: it must get an ACK. */
  mustAck: boolean;
  /** How it was made, for the failure report. */
  how: string;
}

const CREATED = { seconds: 1_700_000_000n, nanos: 123_000_000 };
const TOPICS = ['V', 'alerts', 'errors', 'connectivity'] as const;

export const int = (rand: Random, n: number): number => Math.floor(rand() * n);
const pick = <T>(rand: Random, items: readonly T[]): T => items[int(rand, items.length)];

/** A valid payload of the record type, from the same generators the bench uses (clock-free). */
function payloadFor(rand: Random, topic: (typeof TOPICS)[number]): Uint8Array {
  switch (topic) {
    case 'V': {
      const generated = decode(payloadTypeFor('V'), vehicleDataPayload(FUZZ_VIN, 1 + int(rand, 40), seededRandom(1 + int(rand, 1e9))));
      if (!generated.ok) throw new Error(generated.error);
      generated.message.created_at = { ...CREATED, $unknown: undefined } as typeof generated.message.created_at;
      return encode(payloadTypeFor('V'), generated.message);
    }
    case 'alerts': {
      const alerts: MessageInit<VehicleAlerts> = {
        alerts: Array.from({ length: int(rand, 4) }, (_, i) => ({
          name: `Alert_${i}_${int(rand, 1000)}`,
          audiences: [1 + int(rand, 2)],
          started_at: CREATED,
          ended_at: rand() < 0.5 ? CREATED : undefined,
        })),
        created_at: CREATED,
        vin: FUZZ_VIN,
      };
      return encode(payloadTypeFor('alerts'), alerts);
    }
    case 'errors': {
      const errors: MessageInit<VehicleErrors> = {
        errors: [{ created_at: CREATED, name: 'fuzz_error', tags: { k: String(int(rand, 100)) }, body: 'body' }],
        created_at: CREATED,
        vin: FUZZ_VIN,
      };
      return encode(payloadTypeFor('errors'), errors);
    }
    case 'connectivity': {
      const connectivity: MessageInit<VehicleConnectivity> = {
        vin: FUZZ_VIN,
        connection_id: 'c0ffee00-0000-4000-8000-000000000000',
        status: 1 + int(rand, 2),
        created_at: CREATED,
        network_interface: 'wifi',
      };
      return encode(payloadTypeFor('connectivity'), connectivity);
    }
  }
}

function randomText(rand: Random, max: number): string {
  const alphabets = ['abcdef0123456789-', 'ÄéЖ中😀', '\u0000\u0001 '];
  const alphabet = [...pick(rand, alphabets)];
  return Array.from({ length: int(rand, max + 1) }, () => pick(rand, alphabet)).join('');
}

function randomBytes(rand: Random, n: number): Uint8Array {
  return Uint8Array.from({ length: n }, () => int(rand, 256));
}

/** A well-formed stream frame, valid or with one envelope field off (topic, sender, txid). */
export function validFrame(rand: Random): FuzzFrame {
  const topic = pick(rand, TOPICS);
  const txid = rand() < 0.1 ? randomText(rand, 40) : `txid-${int(rand, 1e9)}`;
  const bytes = writeStream({
    senderId: FUZZ_SENDER,
    topic,
    txid,
    payload: payloadFor(rand, topic),
    createdAt: 1_700_000_000,
    messageId: `m-${int(rand, 1e6)}`,
    deviceType: 'vehicle_device',
    deviceId: FUZZ_VIN,
    deliveredAt: 0n,
  });
  return { bytes, mustAck: true, how: `valid ${topic}` };
}

/** A frame with odd but well-typed envelope fields: unknown topics, other senders, raw bytes. */
function oddEnvelope(rand: Random): FuzzFrame {
  const topic = rand() < 0.5 ? pick(rand, TOPICS) : rand() < 0.5 ? randomText(rand, 12) : randomBytes(rand, int(rand, 12));
  const payload =
    rand() < 0.5 && typeof topic === 'string' && (TOPICS as readonly string[]).includes(topic)
      ? payloadFor(rand, topic as (typeof TOPICS)[number])
      : randomBytes(rand, int(rand, 64));
  const bytes = writeStream({
    senderId: rand() < 0.5 ? FUZZ_SENDER : rand() < 0.5 ? FUZZ_VIN : randomText(rand, 30),
    topic,
    txid: rand() < 0.5 ? randomText(rand, 60) : randomBytes(rand, int(rand, 40)),
    payload,
    createdAt: int(rand, 2 ** 32),
    messageId: randomText(rand, 10),
    deviceType: randomText(rand, 10),
    deviceId: randomText(rand, 20),
    deliveredAt: BigInt(int(rand, 2 ** 48)),
  });
  return { bytes, mustAck: false, how: 'odd envelope' };
}

/** The top-level protobuf fields of `bytes` as [start, end) ranges, as far as they parse. */
function protobufFields(bytes: Uint8Array): [number, number][] {
  const fields: [number, number][] = [];
  let at = 0;
  const varint = (): number | undefined => {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (at >= bytes.length) return undefined;
      const b = bytes[at++];
      value += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return value;
    }
    return undefined;
  };
  while (at < bytes.length) {
    const start = at;
    const tag = varint();
    if (tag === undefined) break;
    const wire = tag & 7;
    if (wire === 0 && varint() === undefined) break;
    else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else if (wire === 2) {
      const length = varint();
      if (length === undefined) break;
      at += length;
    } else if (wire !== 0) break;
    if (at > bytes.length) break;
    fields.push([start, at]);
  }
  return fields;
}

const splice = (bytes: Uint8Array, start: number, end: number, insert: Uint8Array): Uint8Array => {
  const out = new Uint8Array(bytes.length - (end - start) + insert.length);
  out.set(bytes.subarray(0, start));
  out.set(insert, start);
  out.set(bytes.subarray(end), start + insert.length);
  return out;
};

/** One protobuf-aware mutation of a payload. */
export function mutateProtobuf(rand: Random, payload: Uint8Array): Uint8Array {
  const fields = protobufFields(payload);
  if (fields.length === 0) return mutateBytes(rand, payload);
  const [start, end] = pick(rand, fields);
  switch (int(rand, 7)) {
    case 0: // another wire type for the same field number
      return splice(payload, start, start + 1, Uint8Array.of((payload[start] & ~7) | pick(rand, [0, 1, 2, 3, 4, 5, 6, 7])));
    case 1: // another field number, same wire type
      return splice(payload, start, start + 1, Uint8Array.of((int(rand, 16) << 3) | (payload[start] & 7)));
    case 2: // a length prefix or varint value off (the byte after the tag)
      return start + 1 < payload.length
        ? splice(payload, start + 1, start + 2, Uint8Array.of(pick(rand, [0x00, 0x7f, 0x80, 0xff, int(rand, 256)])))
        : payload;
    case 3: // the field cut short
      return payload.subarray(0, start + int(rand, end - start));
    case 4: // the field repeated
      return splice(payload, end, end, payload.slice(start, end));
    case 5: // an unknown field inserted
      return splice(payload, start, start, Uint8Array.of((100 << 3) | 2, 3, 1, 2, 3));
    default: // the field dropped
      return splice(payload, start, end, new Uint8Array(0));
  }
}

/**
 * One FlatBuffers-aware mutation of a stream envelope: the root offset, the root table's soffset,
 * a vtable entry (which field is where), a field's uoffset, or the union type byte.
 */
export function mutateEnvelope(rand: Random, frame: Uint8Array): Uint8Array {
  const out = Uint8Array.from(frame);
  const view = new DataView(out.buffer);
  if (out.length < 8) return mutateBytes(rand, out);
  const root = view.getUint32(0, true);
  const odd = () => pick(rand, [0, 1, 2, 3, 4, 0x7fff, 0x8000, 0xffff, int(rand, 0x10000)]);
  const oddU32 = () => pick(rand, [0, 1, 4, 0x7fffffff, 0x80000000, 0xffffffff, int(rand, out.length + 16)]);
  if (root + 4 > out.length) {
    view.setUint32(0, oddU32(), true);
    return out;
  }
  const vtable = root - view.getInt32(root, true);
  switch (int(rand, 5)) {
    case 0:
      view.setUint32(0, oddU32(), true);
      return out;
    case 1:
      view.setInt32(root, oddU32() | 0, true);
      return out;
    case 2: {
      if (vtable < 0 || vtable + 4 > out.length) return mutateBytes(rand, out);
      const entries = Math.max(0, Math.min((view.getUint16(vtable, true) - 4) / 2, (out.length - vtable - 4) / 2));
      if (entries < 1) {
        view.setUint16(vtable, odd(), true);
        return out;
      }
      view.setUint16(vtable + 4 + 2 * int(rand, Math.floor(entries)), odd(), true);
      return out;
    }
    case 3: {
      // A field's uoffset (strings and tables are reached through one).
      const at = root + 4 + 4 * int(rand, 6);
      if (at + 4 <= out.length) view.setUint32(at, oddU32(), true);
      return out;
    }
    default: {
      // Somewhere in the root table's inline fields, e.g. the union type byte.
      const at = root + 4 + int(rand, 24);
      if (at < out.length) out[at] = pick(rand, [0, 1, 3, 4, 5, 6, 255]);
      return out;
    }
  }
}

/** One byte-level mutation. */
export function mutateBytes(rand: Random, bytes: Uint8Array): Uint8Array {
  if (bytes.length === 0) return randomBytes(rand, int(rand, 16));
  const at = int(rand, bytes.length);
  switch (int(rand, 6)) {
    case 0: {
      const out = Uint8Array.from(bytes);
      out[at] ^= 1 << int(rand, 8);
      return out;
    }
    case 1: {
      const out = Uint8Array.from(bytes);
      out[at] = pick(rand, [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff]);
      return out;
    }
    case 2:
      return bytes.subarray(0, at);
    case 3:
      return splice(bytes, at, at, randomBytes(rand, 1 + int(rand, 16)));
    case 4: {
      const end = Math.min(bytes.length, at + 1 + int(rand, 32));
      return splice(bytes, at, at, bytes.slice(at, end));
    }
    default:
      return splice(bytes, at, Math.min(bytes.length, at + 1 + int(rand, 16)), new Uint8Array(0));
  }
}

/** Mutates the payload inside a valid frame by rebuilding the envelope around it. */
function withMutatedPayload(rand: Random): FuzzFrame {
  const topic = pick(rand, TOPICS);
  let payload = payloadFor(rand, topic);
  const rounds = 1 + int(rand, 3);
  for (let i = 0; i < rounds; i++) payload = rand() < 0.7 ? mutateProtobuf(rand, payload) : mutateBytes(rand, payload);
  const bytes = writeStream({
    senderId: FUZZ_SENDER,
    topic,
    txid: `p-${int(rand, 1e9)}`,
    payload,
    createdAt: 1_700_000_000,
    messageId: 'm',
    deviceType: 'vehicle_device',
    deviceId: FUZZ_VIN,
    deliveredAt: 0n,
  });
  return { bytes, mustAck: false, how: `payload mutated ×${rounds} (${topic})` };
}

/** A single over-size frame (> 1,000,000 bytes, §5.2): rare, it costs a megabyte. */
function tooBig(rand: Random): FuzzFrame {
  const bytes = new Uint8Array(1_000_001 + int(rand, 1000));
  bytes.set(validFrame(rand).bytes.subarray(0, 64));
  return { bytes, mustAck: false, how: 'over 1,000,000 bytes' };
}

/** One fuzz case: the frames one session sends in one turn (1–8). */
export function fuzzCase(rand: Random): FuzzFrame[] {
  const count = 1 + int(rand, 8);
  const frames: FuzzFrame[] = [];
  for (let i = 0; i < count; i++) {
    const r = rand();
    if (r < 0.25) frames.push(validFrame(rand));
    else if (r < 0.35) frames.push(oddEnvelope(rand));
    else if (r < 0.6) frames.push(withMutatedPayload(rand));
    else if (r < 0.85) {
      const base = validFrame(rand);
      frames.push({ bytes: mutateEnvelope(rand, base.bytes), mustAck: false, how: `envelope mutated (${base.how})` });
    } else if (r < 0.9995) {
      let bytes = (rand() < 0.8 ? validFrame(rand) : oddEnvelope(rand)).bytes;
      const rounds = 1 + int(rand, 4);
      for (let k = 0; k < rounds; k++) bytes = mutateBytes(rand, bytes);
      frames.push({ bytes, mustAck: false, how: `bytes mutated ×${rounds}` });
    } else frames.push(tooBig(rand));
  }
  return frames;
}
