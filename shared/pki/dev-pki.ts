/**
 * Development PKI: a CA, a localhost server certificate and one client certificate per VIN, kept
 * in a directory and reused across runs.
 *
 * The CA's subject CN is `TeslaMotors`, a KNOWN_ISSUERS entry (PROTOCOL.md §3.1), so the gateway's
 * identity rules accept the client certificates it issues as `vehicle_device.<VIN>`.
 */
import { createPublicKey, randomBytes, X509Certificate } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createCa, issueCertificate, type PemKeyPair } from './create-certificates';

export const DEV_CA_COMMON_NAME = 'TeslaMotors';

export interface DevPkiPaths {
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  /** VIN → client certificate and key paths. */
  vehicles: Record<string, { cert: string; key: string }>;
}

/** Re-issue a certificate this long before it expires. */
const RENEW_BEFORE_MS = 86_400_000;
const LOCK_POLL_MS = 50;
const LOCK_TIMEOUT_MS = 60_000;
/** A lock older than this was left by a crashed process. */
const LOCK_STALE_MS = 120_000;

/**
 * Creates whatever is missing, unusable (expired, key mismatch, not issued by the current CA) or
 * stale because the CA was re-created; existing good files are left untouched. Safe to call from
 * several processes at once (a lock directory serialises them).
 */
export async function ensureDevPki(dir: string, vins: readonly string[]): Promise<DevPkiPaths> {
  for (const vin of vins) assertSafeFileName(vin);
  await mkdir(join(dir, 'vehicles'), { recursive: true });
  const paths: DevPkiPaths = {
    caCert: join(dir, 'ca.pem'),
    caKey: join(dir, 'ca.key'),
    serverCert: join(dir, 'server.pem'),
    serverKey: join(dir, 'server.key'),
    vehicles: {},
  };
  for (const vin of vins) {
    paths.vehicles[vin] = { cert: join(dir, 'vehicles', `${vin}.pem`), key: join(dir, 'vehicles', `${vin}.key`) };
  }

  await withLock(join(dir, '.lock'), async () => {
    let ca = await readPair(paths.caCert, paths.caKey);
    if (!ca || !isUsableCa(ca)) {
      ca = await createCa({ commonName: DEV_CA_COMMON_NAME, organization: 'Fleet Telemetry Dev' });
      await writePair(paths.caCert, paths.caKey, ca);
    }
    const caPair = ca;

    const server = await readPair(paths.serverCert, paths.serverKey);
    if (!server || !isUsableLeaf(server, caPair)) {
      const issued = await issueCertificate(caPair, {
        commonName: 'localhost',
        isServer: true,
        dnsNames: ['localhost'],
        ipAddresses: ['127.0.0.1', '::1'],
      });
      await writePair(paths.serverCert, paths.serverKey, issued);
    }

    for (const vin of vins) {
      const { cert, key } = paths.vehicles[vin];
      const existing = await readPair(cert, key);
      if (existing && isUsableLeaf(existing, caPair)) continue;
      await writePair(cert, key, await issueCertificate(caPair, { commonName: vin }));
    }
  });
  return paths;
}

/** VINs become file names: refuse anything that could leave the directory. */
function assertSafeFileName(vin: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(vin)) throw new Error(`invalid VIN for a dev certificate file name: ${JSON.stringify(vin)}`);
}

async function readPair(certPath: string, keyPath: string): Promise<PemKeyPair | undefined> {
  try {
    const [certPem, keyPem] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
    return { certPem, keyPem };
  } catch {
    return undefined;
  }
}

function isUsableCa(pair: PemKeyPair): boolean {
  try {
    const cert = new X509Certificate(pair.certPem);
    return cert.ca && keyMatches(pair, cert) && notExpiring(cert);
  } catch {
    return false;
  }
}

function isUsableLeaf(pair: PemKeyPair, ca: PemKeyPair): boolean {
  try {
    const cert = new X509Certificate(pair.certPem);
    const caCert = new X509Certificate(ca.certPem);
    return cert.checkIssued(caCert) && cert.verify(caCert.publicKey) && keyMatches(pair, cert) && notExpiring(cert);
  } catch {
    return false;
  }
}

function keyMatches(pair: PemKeyPair, cert: X509Certificate): boolean {
  const fromKey = createPublicKey(pair.keyPem).export({ type: 'spki', format: 'der' });
  return fromKey.equals(cert.publicKey.export({ type: 'spki', format: 'der' }));
}

function notExpiring(cert: X509Certificate): boolean {
  return new Date(cert.validTo).getTime() - Date.now() > RENEW_BEFORE_MS;
}

/** Each file is replaced atomically (write + rename), so readers never see half a PEM. */
async function writePair(certPath: string, keyPath: string, pair: PemKeyPair): Promise<void> {
  await writeAtomic(keyPath, pair.keyPem, 0o600);
  await writeAtomic(certPath, pair.certPem, 0o644);
}

async function writeAtomic(path: string, data: string, mode: number): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, data, { mode });
  await rename(tmp, path);
}

/** mkdir is atomic, so a lock directory serialises concurrent callers across processes. */
async function withLock(lockDir: string, work: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + LOCK_TIMEOUT_MS;
  for (;;) {
    try {
      await mkdir(lockDir);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const age = await stat(lockDir).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > LOCK_STALE_MS) await rm(lockDir, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`timed out waiting for dev PKI lock ${lockDir}`);
      else await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
    }
  }
  try {
    await work();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}
