/** protos/*.proto must state exactly the facts of spec/protobuf-fields.tsv (PROTOCOL.md §1). */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as protobuf from 'protobufjs';
import { PROTO_FILES, findProtosDir, loadProtoRoot } from './schema';

// testdata/ holds a copy of the spec's protobuf-fields.tsv (checked in spec-copies.test.ts).
const tsv = readFileSync(join(__dirname, 'testdata', 'protobuf-fields.tsv'), 'utf8')
  .replace(/\r?\n$/, '')
  .split(/\r?\n/);
const header = tsv[0].split('\t');
const rows = tsv.slice(1).map((l) => l.split('\t'));
const root = loadProtoRoot();
const strip = (n: string): string => n.replace(/^\./, '');

/** Every field and enum value of the parsed files, rendered like a TSV row. */
function parsedRows(): string[] {
  const out: string[] = [];
  const walk = (ns: protobuf.NamespaceBase): void => {
    for (const child of ns.nestedArray) {
      if (strip(child.fullName).startsWith('google.')) continue;
      const file = basename(child.filename ?? '');
      if (child instanceof protobuf.Enum) {
        for (const [name, num] of Object.entries(child.values))
          out.push([file, 'enum', strip(child.fullName), name, num, '', ''].join('\t'));
      } else if (child instanceof protobuf.Type) {
        for (const f of child.fieldsArray) {
          const map = f instanceof protobuf.MapField;
          const type = map ? `map<${(f as protobuf.MapField).keyType},${f.type}>` : f.type;
          const kind = f.partOf ? 'oneof' : 'message';
          const label = f.partOf ? f.partOf.name : f.repeated && !map ? 'repeated' : '';
          out.push([file, kind, strip(child.fullName), f.name, f.id, type, label].join('\t'));
        }
      }
      if (child instanceof protobuf.Namespace || child instanceof protobuf.Type) walk(child);
    }
  };
  walk(root);
  return out;
}

describe('protos/*.proto vs protobuf-fields.tsv', () => {
  it('has the documented header and row counts (616 rows: 584/11/8/7/6)', () => {
    expect(header).toEqual(['file', 'kind', 'parent', 'name', 'number', 'type', 'label']);
    expect(rows).toHaveLength(616);
    const count = (file: string, kind?: string): number => rows.filter((r) => r[0] === file && (!kind || r[1] === kind)).length;
    expect(count('vehicle_data.proto')).toBe(584);
    expect(count('vehicle_data.proto', 'message')).toBe(27);
    expect(count('vehicle_data.proto', 'oneof')).toBe(53);
    expect(count('vehicle_data.proto', 'enum')).toBe(504);
    expect(count('vehicle_alert.proto')).toBe(11);
    expect(count('vehicle_connectivity.proto')).toBe(8);
    expect(count('vehicle_error.proto')).toBe(7);
    expect(count('vehicle_metric.proto')).toBe(6);
  });

  it.each(rows.map((r) => [`${r[2]}.${r[3]}`, r] as const))('%s matches its TSV row', (_id, r) => {
    const [file, kind, parent, name, number, type, label] = r;
    if (kind === 'enum') {
      const e = root.lookupEnum(parent);
      expect(basename(e.filename ?? '')).toBe(file);
      expect(e.values[name]).toBe(Number(number));
      return;
    }
    const t = root.lookupType(parent);
    expect(basename(t.filename ?? '')).toBe(file);
    const f = t.fields[name];
    expect(f).toBeDefined();
    expect(f.id).toBe(Number(number));
    const isMap = f instanceof protobuf.MapField;
    expect(isMap ? `map<${(f as protobuf.MapField).keyType},${f.type}>` : f.type).toBe(type);
    if (kind === 'oneof') expect(f.partOf?.name).toBe(label);
    else {
      expect(f.partOf).toBeNull();
      expect(f.repeated && !isMap ? 'repeated' : '').toBe(label);
    }
  });

  it('declares nothing beyond the TSV rows', () => {
    expect(parsedRows().sort()).toEqual(tsv.slice(1).sort());
  });

  it.each(PROTO_FILES)('%s is proto3, imports timestamp.proto and uses the package of its rows', (file) => {
    const text = readFileSync(join(findProtosDir(), file), 'utf8');
    expect(text).toMatch(/^syntax = "proto3";$/m);
    expect(text).toMatch(/^import "google\/protobuf\/timestamp\.proto";$/m);
    const pkg = rows.find((r) => r[0] === file)![2].replace(/\.[^.]+$/, '');
    expect(text).toMatch(new RegExp(`^package ${pkg.replace(/\./g, '\\.')};$`, 'm'));
    expect(text).not.toMatch(/\b(optional|reserved|extend|group|json_name|allow_alias)\b/);
  });
});
