/**
 * Schema tables built once from protos/*.proto (PROTOCOL.md §1). protobufjs is used only to parse
 * the .proto files; the codec (decode.ts / encode.ts) works from the plain tables built here.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as protobuf from 'protobufjs';
import { KIND_BY_NAME, Kind, WIRE_BYTES, defaultOf, wireTypeOf } from './kinds';

export * from './kinds';

export interface EnumInfo {
  readonly fullName: string;
  /** number → name; unknown numbers are absent (open enums, §6.2). */
  readonly nameOf: Map<number, string>;
  readonly numberOf: Map<string, number>;
}

export interface FieldInfo {
  readonly name: string;
  /** protoc lowerCamelCase JSON name (§6.5). */
  readonly jsonName: string;
  readonly number: number;
  readonly kind: Kind;
  /** Wire type of one (unpacked) element. */
  readonly wireType: number;
  readonly repeated: boolean;
  /** Scalar numeric/bool/enum repeated fields: accepted packed or not, written packed (§6.2, §6.4). */
  readonly packable: boolean;
  readonly isMap: boolean;
  /** For map fields: the value kind (keys are always string in this schema, checked at load). */
  readonly mapValueKind: Kind;
  /** Name of the containing oneof, or '' for ordinary fields. */
  readonly oneof: string;
  /** Set once all types exist (message-typed fields and map values of message type). */
  message: MessageType | undefined;
  readonly enumType: EnumInfo | undefined;
}

export interface OneofInfo {
  readonly name: string;
  /** member name → field; a dictionary without prototype so any case string is safe to look up. */
  readonly members: Record<string, FieldInfo | undefined>;
}

/** One JSON output slot: a plain field, or a oneof (its members are contiguous in a .proto). */
export interface JsonSlot {
  readonly field: FieldInfo | undefined;
  readonly oneof: OneofInfo | undefined;
}

/** A message type handle. `T` is a phantom type used only for typed decode/encode results. */
export interface MessageType<T = unknown> {
  readonly fullName: string;
  /** Fields (incl. oneof members) in declaration order: JSON order (§6.5). */
  readonly fields: readonly FieldInfo[];
  /** Non-oneof fields in ascending number order: encode order (§6.4). */
  readonly plainByNumber: readonly FieldInfo[];
  /** Sparse array indexed by field number for O(1) decode dispatch. */
  readonly byNumber: readonly (FieldInfo | undefined)[];
  readonly oneofs: readonly OneofInfo[];
  /** Declaration-order output slots for JSON (§6.5): one per plain field, one per oneof. */
  readonly jsonSlots: readonly JsonSlot[];
  /** Shape template: every field and oneof key with its default, plus `$unknown`. */
  readonly template: Readonly<Record<string, unknown>>;
  /** Decoded instances keep their wire bytes in `$bytes`, written back unless a transform cleared them. */
  readonly keepsBytes: boolean;
  /** Fields needing a fresh container per instance (repeated → [], map → {}). */
  readonly containerFields: readonly FieldInfo[];
  /** A fresh instance of the template, fresh containers included (see `compileFactory`). */
  readonly instantiate: () => Record<string, unknown>;
  /** Phantom marker, never set. */
  readonly __type?: T;
}

/** protoc's JSON name: drop '_' and upper-case the following letter; nothing else changes. */
export function jsonNameOf(name: string): string {
  let out = '';
  let upper = false;
  for (const ch of name) {
    if (ch === '_') upper = true;
    else {
      out += upper ? ch.toUpperCase() : ch;
      upper = false;
    }
  }
  return out;
}

/**
 * Types whose decoded instances may remember their bytes (decode.ts keepBytes): a `Value` holding a
 * NaN, whose payload bits a JS number cannot carry.
 */
const KEEPS_BYTES = new Set(['telemetry.vehicle_data.Value']);

export const PROTO_FILES = [
  'vehicle_data.proto',
  'vehicle_alert.proto',
  'vehicle_error.proto',
  'vehicle_connectivity.proto',
  'vehicle_metric.proto',
] as const;

/** Walks up from this module (source or dist/) to the folder holding protos/vehicle_data.proto. */
export function findProtosDir(start: string = __dirname): string {
  let dir = start;
  for (;;) {
    const candidate = join(dir, 'protos');
    if (existsSync(join(candidate, 'vehicle_data.proto'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`protos/ folder not found above ${start}`);
    dir = parent;
  }
}

/** Parses the .proto files with protobufjs (proto field names kept as written). */
export function loadProtoRoot(protosDir: string = findProtosDir()): protobuf.Root {
  const root = new protobuf.Root();
  root.loadSync(
    PROTO_FILES.map((f) => join(protosDir, f)),
    { keepCase: true },
  );
  root.resolveAll();
  return root;
}

function buildEnum(e: protobuf.Enum): EnumInfo {
  const nameOf = new Map<number, string>();
  const numberOf = new Map<string, number>();
  for (const [name, num] of Object.entries(e.values)) {
    if (!nameOf.has(num)) nameOf.set(num, name);
    numberOf.set(name, num);
  }
  return { fullName: e.fullName.replace(/^\./, ''), nameOf, numberOf };
}

/** All message types and enums of the schema, keyed by full name without leading dot. */
export interface Schema {
  readonly messages: ReadonlyMap<string, MessageType>;
  readonly enums: ReadonlyMap<string, EnumInfo>;
}

export function buildSchema(root: protobuf.Root): Schema {
  const enums = new Map<string, EnumInfo>();
  const messages = new Map<string, MessageType>();
  const pending: { field: FieldInfo; typeName: string }[] = [];
  const types: protobuf.Type[] = [];
  const collect = (ns: protobuf.NamespaceBase): void => {
    for (const child of ns.nestedArray) {
      if (child instanceof protobuf.Type) types.push(child);
      else if (child instanceof protobuf.Enum) enums.set(child.fullName.replace(/^\./, ''), buildEnum(child));
      if (child instanceof protobuf.Namespace || child instanceof protobuf.Type) collect(child);
    }
  };
  collect(root);

  for (const t of types) {
    const fields: FieldInfo[] = [];
    for (const f of t.fieldsArray) {
      const isMap = f instanceof protobuf.MapField;
      if (isMap && (f as protobuf.MapField).keyType !== 'string') {
        throw new Error(`${t.fullName}.${f.name}: only map<string,…> is supported`);
      }
      const resolved = f.resolvedType;
      if (isMap && resolved instanceof protobuf.Type) {
        throw new Error(`${t.fullName}.${f.name}: map values of message type are not supported`);
      }
      let kind: Kind;
      let enumType: EnumInfo | undefined;
      if (resolved instanceof protobuf.Enum) {
        kind = Kind.Enum;
        enumType = enums.get(resolved.fullName.replace(/^\./, ''));
      } else if (resolved instanceof protobuf.Type) {
        kind = Kind.Message;
      } else {
        const k = KIND_BY_NAME[f.type];
        if (k === undefined) throw new Error(`${t.fullName}.${f.name}: unsupported type ${f.type}`);
        kind = k;
      }
      const repeated = f.repeated && !isMap;
      const info: FieldInfo = {
        name: f.name,
        jsonName: jsonNameOf(f.name),
        number: f.id,
        kind: isMap ? Kind.Message : kind,
        wireType: isMap ? WIRE_BYTES : wireTypeOf(kind),
        repeated,
        packable: repeated && kind !== Kind.String && kind !== Kind.Bytes && kind !== Kind.Message,
        isMap,
        mapValueKind: isMap ? kind : (0 as Kind),
        oneof: f.partOf ? f.partOf.name : '',
        message: undefined,
        enumType,
      };
      if (resolved instanceof protobuf.Type) pending.push({ field: info, typeName: resolved.fullName.replace(/^\./, '') });
      fields.push(info);
    }
    // Dense (hole-free) array so lookups stay on the fast elements path.
    const maxNumber = fields.reduce((m, f) => Math.max(m, f.number), 0);
    const byNumber: (FieldInfo | undefined)[] = Array.from({ length: maxNumber + 1 }, () => undefined);
    for (const f of fields) byNumber[f.number] = f;

    const template: Record<string, unknown> = {};
    const oneofs: OneofInfo[] = [];
    for (const f of fields) {
      if (f.oneof) {
        if (!(f.oneof in template)) {
          template[f.oneof] = undefined;
          oneofs.push({ name: f.oneof, members: Object.create(null) as Record<string, FieldInfo | undefined> });
        }
        oneofs.find((o) => o.name === f.oneof)!.members[f.name] = f;
      } else {
        template[f.name] = f.repeated || f.isMap ? undefined : defaultOf(f.kind);
      }
    }
    template.$unknown = undefined;
    const fullName = t.fullName.replace(/^\./, '');
    const keepsBytes = KEEPS_BYTES.has(fullName);
    if (keepsBytes) template.$bytes = undefined;
    const jsonSlots: JsonSlot[] = [];
    for (const f of fields) {
      if (!f.oneof) jsonSlots.push({ field: f, oneof: undefined });
      else if (!jsonSlots.some((slot) => slot.oneof?.name === f.oneof)) {
        jsonSlots.push({ field: undefined, oneof: oneofs.find((o) => o.name === f.oneof) });
      }
    }
    const containerFields = fields.filter((f) => f.repeated || f.isMap);
    messages.set(fullName, {
      fullName,
      keepsBytes,
      fields,
      plainByNumber: fields.filter((f) => !f.oneof).sort((a, b) => a.number - b.number),
      byNumber,
      oneofs,
      jsonSlots,
      template,
      containerFields,
      instantiate: compileFactory(template, containerFields),
    });
  }
  for (const { field, typeName } of pending) {
    const m = messages.get(typeName);
    if (!m) throw new Error(`unresolved message type ${typeName}`);
    field.message = m;
  }
  return { messages, enums };
}

/**
 * A function returning `{...template}` with fresh containers, as one object literal. The decoder
 * makes one message per datum and value; a literal per type allocates with a fixed shape, about
 * twice as fast as copying the template and then storing each container under a computed key.
 * The source is built from our own schema: keys are quoted with JSON.stringify, values are
 * literals or taken from `shared` by index.
 */
function compileFactory(template: Readonly<Record<string, unknown>>, containers: readonly FieldInfo[]): () => Record<string, unknown> {
  const shared: unknown[] = [];
  const members = Object.keys(template).map((key) => {
    const container = containers.find((f) => f.name === key);
    const value = template[key];
    let expression: string;
    if (container !== undefined) expression = container.isMap ? 'Object.create(null)' : '[]';
    else if (value === undefined) expression = 'undefined';
    else if (typeof value === 'bigint') expression = `${value}n`;
    else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') expression = JSON.stringify(value);
    else expression = `shared[${shared.push(value) - 1}]`; // the shared empty Uint8Array of bytes fields
    return `${JSON.stringify(key)}: ${expression}`;
  });
  const build = new Function('shared', `return function instantiate() { return { ${members.join(', ')} }; };`) as (
    shared: unknown[],
  ) => () => Record<string, unknown>;
  return build(shared);
}

let cached: Schema | undefined;

/** The process-wide schema, loaded on first use. */
export function schema(): Schema {
  if (!cached) cached = buildSchema(loadProtoRoot());
  return cached;
}

export function messageType<T = unknown>(fullName: string): MessageType<T> {
  const m = schema().messages.get(fullName);
  if (!m) throw new Error(`unknown message type ${fullName}`);
  return m as MessageType<T>;
}

export function enumInfo(fullName: string): EnumInfo {
  const e = schema().enums.get(fullName);
  if (!e) throw new Error(`unknown enum ${fullName}`);
  return e;
}
