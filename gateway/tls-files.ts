/**
 * Startup checks of the main listener's TLS files (PROTOCOL.md §2.2), so a bad path fails the
 * start with upstream's texts instead of a worker crash loop.
 */
import { readFileSync } from 'node:fs';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { activity } from '../shared/log';
import type { Logger } from '../shared/log';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

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

export function checkTlsFiles(tls: { server_cert: string; server_key: string; ca_file: string }, logger: Logger): void {
  checkKeyPair(tls.server_cert, tls.server_key);
  const bundle = readFileSync(tls.ca_file, 'utf8');
  if (certificatesInBundle(bundle).length === 0) throw new Error(`custom ca not properly loaded: ${tls.ca_file}`);
  activity(logger, 'custom_ca_file_appened', { ca_file_path: tls.ca_file }); // sic, upstream's spelling
}

/** Go's tls.LoadX509KeyPair texts, plus the paths: a mismatch would otherwise only show as every
 * handshake failing. */
export function checkKeyPair(certPath: string, keyPath: string): void {
  const certPem = readFileSync(certPath, 'utf8'); // throws the OS error naming the file
  const keyPem = readFileSync(keyPath, 'utf8');
  const leaf = certificatesInBundle(certPem)[0];
  if (leaf === undefined) throw new Error(`tls: failed to find any PEM data in certificate input: ${certPath}`);
  let matches: boolean;
  try {
    matches = leaf.checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    throw new Error(`tls: failed to find any PEM data in key input: ${keyPath}`);
  }
  if (!matches) throw new Error(`tls: private key does not match public key: ${keyPath} is not the key of ${certPath}`);
}
