/**
 * protojson-compatible JSON (PROTOCOL.md §6.5) with upstream's options: unpopulated fields emitted,
 * enum names, lowerCamelCase keys in declaration order, no whitespace. Unknown fields are not printed.
 */
import { Buffer } from 'node:buffer';
import { formatFloat32, formatFloat64 } from './float-format';
import type { FieldInfo, MessageType } from './schema';
import { Kind } from './schema';
import { timestampJson } from './timestamp';
import type { MessageInit, Timestamp } from './types';

export type JsonResult = { ok: true; json: string } | { ok: false; error: string };

class JsonError extends Error {}

type Msg = Record<string, unknown>;
interface OneofValue {
  case: string;
  value: unknown;
}

const TIMESTAMP = 'google.protobuf.Timestamp';

function floatJson(v: number, text: string): string {
  return Number.isFinite(v) ? text : `"${text}"`;
}

function scalarJson(f: FieldInfo, kind: Kind, v: unknown): string {
  switch (kind) {
    case Kind.Int32:
    case Kind.Uint32:
    case Kind.Sint32:
    case Kind.Fixed32:
    case Kind.Sfixed32:
      return String(v ?? 0);
    case Kind.Int64:
    case Kind.Uint64:
    case Kind.Sint64:
    case Kind.Fixed64:
    case Kind.Sfixed64:
      return `"${String(v ?? 0)}"`;
    case Kind.Float: {
      const n = (v as number | undefined) ?? 0;
      return floatJson(n, formatFloat32(n));
    }
    case Kind.Double: {
      const n = (v as number | undefined) ?? 0;
      return floatJson(n, formatFloat64(n));
    }
    case Kind.Bool:
      return v === true ? 'true' : 'false';
    case Kind.String:
      // JSON.stringify escapes exactly `"`, `\` and C0 controls (short forms, else \u00xx lowercase).
      return JSON.stringify(v ?? '');
    case Kind.Bytes:
      return `"${Buffer.from((v as Uint8Array | undefined) ?? new Uint8Array(0)).toString('base64')}"`;
    case Kind.Enum: {
      const n = (v as number | undefined) ?? 0;
      const name = f.enumType?.nameOf.get(n);
      return name === undefined ? String(n) : JSON.stringify(name);
    }
    default:
      throw new JsonError(`field ${f.name}: unexpected kind`);
  }
}

/** Go sorts map keys by bytes (UTF-8 order = code point order), not by UTF-16 units. */
function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

function valueJson(f: FieldInfo, v: unknown): string {
  return f.kind === Kind.Message ? (v === undefined || v === null ? 'null' : messageJson(f.message!, v as Msg)) : scalarJson(f, f.kind, v);
}

function messageJson(type: MessageType, msg: Msg): string {
  if (type.fullName === TIMESTAMP) {
    const r = timestampJson(msg as unknown as Timestamp);
    if (!r.ok) throw new JsonError(r.error);
    return `"${r.text}"`;
  }
  let out = '{';
  const slots = type.jsonSlots;
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i];
    let f: FieldInfo;
    let text: string;
    if (slot.oneof !== undefined) {
      const o = msg[slot.oneof.name] as OneofValue | undefined;
      if (o === undefined || o === null) continue;
      const member = slot.oneof.members[o.case];
      if (member === undefined) throw new JsonError(`oneof ${slot.oneof.name}: unknown case ${String(o.case)}`);
      f = member;
      text = valueJson(f, o.value);
    } else {
      f = slot.field!;
      if (f.repeated) {
        const arr = (msg[f.name] as unknown[] | undefined) ?? [];
        text = '[';
        for (let j = 0; j < arr.length; j++) text += (j ? ',' : '') + valueJson(f, arr[j]);
        text += ']';
      } else if (f.isMap) {
        const map = (msg[f.name] as Msg | undefined) ?? {};
        const keys = Object.keys(map).sort(compareCodePoints);
        text = '{';
        for (let j = 0; j < keys.length; j++) {
          text += `${j ? ',' : ''}${JSON.stringify(keys[j])}:${scalarJson(f, f.mapValueKind, map[keys[j]])}`;
        }
        text += '}';
      } else text = valueJson(f, msg[f.name]);
    }
    out += `${out.length > 1 ? ',' : ''}"${f.jsonName}":${text}`;
  }
  return `${out}}`;
}

/** protojson text of `message`; a Timestamp out of range (or a malformed value) gives `{ok: false}`. */
export function toJson<T>(type: MessageType<T>, message: NoInfer<T> | MessageInit<NoInfer<T>>): JsonResult {
  try {
    return { ok: true, json: messageJson(type, message as Msg) };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}
