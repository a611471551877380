/**
 * Client certificates for the simulated vehicles. Locally: the development PKI, generated once into
 * .cache/bench-pki and reused by every run; a few hundred certificates serve any number of
 * connections (a VIN may hold several connections). Against another server: a directory of
 * `<VIN>.pem` + `<VIN>.key` files (or one with a `vehicles/` folder, as the dev PKI lays it out).
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ensureDevPki } from '../../shared/pki';
import { packageRoot } from '../../shared/package-root';
import type { ClientIdentity } from './generator-protocol';

export interface BenchPki {
  caCert: string;
  serverCert: string;
  serverKey: string;
  identities: ClientIdentity[];
}

export function benchVin(i: number): string {
  return `5YJ3E1EA7KF${String(300_000 + i).padStart(6, '0')}`;
}

export async function benchPki(count: number): Promise<BenchPki> {
  const vins = Array.from({ length: count }, (_, i) => benchVin(i));
  const paths = await ensureDevPki(join(packageRoot(), '.cache', 'bench-pki'), vins);
  return {
    caCert: paths.caCert,
    serverCert: paths.serverCert,
    serverKey: paths.serverKey,
    identities: vins.map((vin) => ({ vin, certFile: paths.vehicles[vin].cert, keyFile: paths.vehicles[vin].key })),
  };
}

export function identitiesFromDir(dir: string): ClientIdentity[] {
  const folder = existsSync(join(dir, 'vehicles')) ? join(dir, 'vehicles') : dir;
  const identities = readdirSync(folder)
    .filter((f) => f.endsWith('.pem') && !['ca.pem', 'server.pem'].includes(f) && existsSync(join(folder, `${basename(f, '.pem')}.key`)))
    .sort()
    .map((f) => {
      const vin = basename(f, '.pem');
      return { vin, certFile: join(folder, f), keyFile: join(folder, `${vin}.key`) };
    });
  if (identities.length === 0) throw new Error(`no <VIN>.pem + <VIN>.key pairs in ${folder}`);
  return identities;
}
