/** Builds complete message objects (every key present, defaults filled) from partial inits. */
import { newMessage } from './decode';
import { Kind } from './schema';
import type { FieldInfo, MessageType } from './schema';
import type { MessageInit } from './types';

type Msg = Record<string, unknown>;

function fill(f: FieldInfo, v: unknown): unknown {
  return f.kind === Kind.Message && !f.isMap && v !== undefined && v !== null ? build(f.message!, v as Msg) : v;
}

function build(type: MessageType, init: Msg): Msg {
  const m = newMessage(type);
  for (const f of type.fields) {
    if (f.oneof) {
      const o = init[f.oneof] as { case: string; value: unknown } | undefined;
      if (o && o.case === f.name) m[f.oneof] = { case: o.case, value: fill(f, o.value) };
      continue;
    }
    const v = init[f.name];
    if (v === undefined) continue;
    if (f.repeated && Array.isArray(v)) m[f.name] = v.map((x) => fill(f, x));
    else if (f.isMap && v !== null) Object.assign(m[f.name] as Msg, v);
    else m[f.name] = fill(f, v);
  }
  if (init.$unknown !== undefined) m.$unknown = init.$unknown;
  return m;
}

/**
 * A complete message of `type`: keys missing from `init` (at any depth, incl. oneof message
 * members and repeated elements) get their defaults, so the result has the decoded shape.
 */
export function create<T>(type: MessageType<T>, init?: MessageInit<NoInfer<T>>): T {
  return build(type, (init ?? {}) as Msg) as T;
}
