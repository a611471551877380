/** testdata/ copies must equal the spec companion files when the spec folder is available. */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GOLDEN_PROTOBUF } from './testdata/golden-vectors';

const specDir = resolve(process.env.FLEET_SPEC_DIR ?? resolve(__dirname, '../../../shared/spec'));
const specTest = existsSync(join(specDir, 'golden-vectors.json')) ? test : test.skip;

specTest('testdata/golden-vectors.ts equals golden-vectors.json "protobuf"', () => {
  const spec = JSON.parse(readFileSync(join(specDir, 'golden-vectors.json'), 'utf8'));
  expect(GOLDEN_PROTOBUF).toEqual(spec.protobuf);
});

specTest('testdata/protobuf-fields.tsv equals the spec file', () => {
  const copy = readFileSync(join(__dirname, 'testdata', 'protobuf-fields.tsv'), 'utf8');
  expect(copy).toBe(readFileSync(join(specDir, 'protobuf-fields.tsv'), 'utf8'));
});
