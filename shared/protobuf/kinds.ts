/** Protobuf scalar kinds and wire types. */

/** Scalar kinds; numeric so the hot loops switch on small integers. */
export const enum Kind {
  Double = 1,
  Float,
  Int64,
  Uint64,
  Int32,
  Fixed64,
  Fixed32,
  Bool,
  String,
  Bytes,
  Uint32,
  Sfixed32,
  Sfixed64,
  Sint32,
  Sint64,
  Enum,
  Message,
}

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;
export const WIRE_START_GROUP = 3;
export const WIRE_END_GROUP = 4;
export const WIRE_FIXED32 = 5;

export const KIND_BY_NAME: Record<string, Kind | undefined> = {
  double: Kind.Double,
  float: Kind.Float,
  int64: Kind.Int64,
  uint64: Kind.Uint64,
  int32: Kind.Int32,
  fixed64: Kind.Fixed64,
  fixed32: Kind.Fixed32,
  bool: Kind.Bool,
  string: Kind.String,
  bytes: Kind.Bytes,
  uint32: Kind.Uint32,
  sfixed32: Kind.Sfixed32,
  sfixed64: Kind.Sfixed64,
  sint32: Kind.Sint32,
  sint64: Kind.Sint64,
};

export function wireTypeOf(kind: Kind): number {
  switch (kind) {
    case Kind.Double:
    case Kind.Fixed64:
    case Kind.Sfixed64:
      return WIRE_FIXED64;
    case Kind.Float:
    case Kind.Fixed32:
    case Kind.Sfixed32:
      return WIRE_FIXED32;
    case Kind.String:
    case Kind.Bytes:
    case Kind.Message:
      return WIRE_BYTES;
    default:
      return WIRE_VARINT;
  }
}

/** Default of an implicit-presence scalar; int64 family as bigint. */
export function defaultOf(kind: Kind): unknown {
  switch (kind) {
    case Kind.Int64:
    case Kind.Uint64:
    case Kind.Fixed64:
    case Kind.Sfixed64:
    case Kind.Sint64:
      return 0n;
    case Kind.Bool:
      return false;
    case Kind.String:
      return '';
    case Kind.Bytes:
      return new Uint8Array(0);
    case Kind.Message:
      return undefined;
    default:
      return 0;
  }
}
