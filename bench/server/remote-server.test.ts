import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCa, issueCertificate } from '../../shared/pki';
import { COMPARE_OPTION_NAMES } from '../scenarios/bench-options';
import type { TargetOptions } from '../scenarios/bench-options';
import { checkServerOptions } from './remote-server';

let dir: string;
let ca: string;
let certs: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bench-remote-'));
  const authority = await createCa({ commonName: 'TeslaMotors' });
  ca = join(dir, 'ca.pem');
  writeFileSync(ca, authority.certPem);
  certs = join(dir, 'certs');
  mkdirSync(join(certs, 'vehicles'), { recursive: true });
  const vehicle = await issueCertificate(authority, { commonName: 'VIN0001' });
  writeFileSync(join(certs, 'vehicles', 'VIN0001.pem'), vehicle.certPem);
  writeFileSync(join(certs, 'vehicles', 'VIN0001.key'), vehicle.keyPem);
});

const options = (o: Partial<TargetOptions>): TargetOptions => ({ host: '127.0.0.1', port: 4443, caFile: ca, certsDir: certs, ...o });

describe('checkServerOptions', () => {
  test('finds the client certificates (in DIR/vehicles/) and accepts a live pid', () => {
    const identities = checkServerOptions(options({ pid: process.pid }), COMPARE_OPTION_NAMES);
    expect(identities.map((i) => i.vin)).toEqual(['VIN0001']);
  });

  test('a missing certificate directory names --compare-certs', () => {
    expect(() => checkServerOptions(options({ certsDir: join(dir, 'nope') }), COMPARE_OPTION_NAMES)).toThrow(
      /^--compare-certs .*nope: no such directory$/,
    );
  });

  test('a directory without <VIN>.pem + <VIN>.key pairs names --compare-certs', () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty, { recursive: true });
    expect(() => checkServerOptions(options({ certsDir: empty }), COMPARE_OPTION_NAMES)).toThrow(/^--compare-certs .*empty: no <VIN>.pem/);
  });

  test('an unreadable or non-certificate CA names --compare-ca', () => {
    expect(() => checkServerOptions(options({ caFile: join(dir, 'missing.pem') }), COMPARE_OPTION_NAMES)).toThrow(
      /^--compare-ca .*missing.pem: cannot read it \(ENOENT\)$/,
    );
    const junk = join(dir, 'junk.pem');
    writeFileSync(junk, 'not a certificate');
    expect(() => checkServerOptions(options({ caFile: junk }), COMPARE_OPTION_NAMES)).toThrow(
      /^--compare-ca .*junk.pem: not a PEM certificate/,
    );
  });

  test('a pid that is not running names --compare-pid', () => {
    expect(() => checkServerOptions(options({ pid: 2 ** 22 + 1 }), COMPARE_OPTION_NAMES)).toThrow(
      /^--compare-pid 4194305: no such process/,
    );
  });
});
