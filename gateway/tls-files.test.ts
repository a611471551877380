/** The TLS startup checks name the config key and the file, once, for each way a file can be wrong. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testPki } from '../test/harness/gateway-process';
import { createLogger } from '../shared/log';
import { checkTlsFiles, TlsFileError } from './tls-files';
import type { DevPkiPaths } from '../shared/pki';

const lines: string[] = [];
const logger = createLogger({ json: true, level: 'info', destination: { write: (l: string) => lines.push(l) } });
let pki: DevPkiPaths;
let dir: string;
beforeAll(async () => {
  pki = await testPki();
  dir = mkdtempSync(join(tmpdir(), 'ft-tls-'));
});

function failure(files: Partial<{ server_cert: string; server_key: string; ca_file: string }>): TlsFileError {
  try {
    checkTlsFiles({ server_cert: pki.serverCert, server_key: pki.serverKey, ca_file: pki.caCert, ...files }, logger);
  } catch (error) {
    expect(error).toBeInstanceOf(TlsFileError);
    return error as TlsFileError;
  }
  throw new Error('the check passed');
}

describe('checkTlsFiles', () => {
  it('accepts the matching certificate, key and CA bundle, and logs upstream’s CA line', () => {
    checkTlsFiles({ server_cert: pki.serverCert, server_key: pki.serverKey, ca_file: pki.caCert }, logger);
    expect(lines.some((l) => l.includes('"custom_ca_file_appened"'))).toBe(true);
  });

  it('a key that does not match the certificate names tls.server_key and both files', () => {
    const vehicleKey = Object.values(pki.vehicles)[0].key;
    const error = failure({ server_key: vehicleKey });
    expect(error.key).toBe('tls.server_key');
    expect(
      error.message.startsWith(
        `config key "tls.server_key": ${vehicleKey} does not match the certificate in tls.server_cert (${pki.serverCert}, subject `,
      ),
    ).toBe(true);
  });

  it('a key file that is no private key names tls.server_key', () => {
    const garbage = join(dir, 'garbage.key');
    writeFileSync(garbage, 'not a key\n');
    expect(failure({ server_key: garbage }).message).toMatch(
      new RegExp(`^config key "tls\\.server_key": ${garbage} is not an unencrypted PEM private key`),
    );
  });

  it.each([
    ['tls.server_cert', 'server_cert'],
    ['tls.server_key', 'server_key'],
    ['tls.ca_file', 'ca_file'],
  ] as const)('a missing file names %s and the path', (key, field) => {
    const missing = join(dir, `missing-${field}.pem`);
    expect(failure({ [field]: missing }).message).toBe(`config key "${key}": open ${missing}: no such file or directory`);
  });

  it('a certificate file without a certificate names tls.server_cert; a CA file without one keeps upstream’s text', () => {
    const empty = join(dir, 'empty.pem');
    writeFileSync(empty, 'nothing here\n');
    expect(failure({ server_cert: empty }).message).toBe(`config key "tls.server_cert": ${empty} holds no PEM certificate`);
    expect(failure({ ca_file: empty }).message).toBe(`config key "tls.ca_file": custom ca not properly loaded: ${empty}`);
  });
});
