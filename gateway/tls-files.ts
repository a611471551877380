/**
 * Startup (and reload) checks of the main listener's TLS files (PROTOCOL.md §2.2), in the primary,
 * so a bad file fails once with the config key and the path instead of every worker failing to
 * build its TLS context (uWS only says `App construction failed`).
 */
import { readFileSync } from 'node:fs';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { activity } from '../shared/log';
import type { Logger } from '../shared/log';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** A TLS file that cannot serve; the message names the config key and the file. */
export class TlsFileError extends Error {
  override readonly name = 'TlsFileError';
  readonly code = 'TLS_FILE';

  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`config key "${key}": ${message}`);
  }
}

/** Certificates in a PEM bundle; text between the blocks is ignored, as Go and OpenSSL do. */
export function certificatesInBundle(pem: string): X509Certificate[] {
  const found: X509Certificate[] = [];
  for (const block of pem.match(PEM_CERTIFICATE) ?? []) {
    try {
      found.push(new X509Certificate(block));
    } catch {
      // An unparsable block is skipped, like Go's AppendCertsFromPEM.
    }
  }
  return found;
}

/** Go's wording for an unreadable file (`open <path>: no such file or directory`), as §2.2 shows it. */
function read(key: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : String(error);
    throw new TlsFileError(key, `open ${path}: ${reason}`);
  }
}

export function checkTlsFiles(tls: { server_cert: string; server_key: string; ca_file: string }, logger: Logger): void {
  const [leaf] = certificatesInBundle(read('tls.server_cert', tls.server_cert));
  if (leaf === undefined) throw new TlsFileError('tls.server_cert', `${tls.server_cert} holds no PEM certificate`);
  let key: KeyObject;
  try {
    key = createPrivateKey(read('tls.server_key', tls.server_key));
  } catch (error) {
    if (error instanceof TlsFileError) throw error;
    throw new TlsFileError('tls.server_key', `${tls.server_key} is not an unencrypted PEM private key (${(error as Error).message})`);
  }
  if (!leaf.checkPrivateKey(key))
    throw new TlsFileError(
      'tls.server_key',
      `${tls.server_key} does not match the certificate in tls.server_cert (${tls.server_cert}, subject ${leaf.subject.replace(/\n/g, ', ')})`,
    );
  // §2.2's texts for the client CA bundle.
  if (certificatesInBundle(read('tls.ca_file', tls.ca_file)).length === 0)
    throw new TlsFileError('tls.ca_file', `custom ca not properly loaded: ${tls.ca_file}`);
  activity(logger, 'custom_ca_file_appened', { ca_file_path: tls.ca_file }); // sic, upstream's spelling
}
