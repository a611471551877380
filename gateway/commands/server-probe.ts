/** Connecting to a server as a vehicle would (TLS, SNI = hostname) and judging what it presents: the
 * chain, whether it verifies against the vehicle configuration's CA (to a root, or only to an
 * intermediate CA of that file: a "partial chain"), the hostname in the SAN, and expiry. */
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { checkServerIdentity, connect, type DetailedPeerCertificate, type PeerCertificate } from 'node:tls';
import { certificatesInBundle } from '../tls-files';
import type { Finding } from './command-line';

export interface ProbeTarget {
  hostname: string;
  port: number;
  /** Network address to dial when it differs from the hostname (tests, DNS not set up yet). */
  address?: string;
  caPem: string;
  timeoutMs: number;
}

export interface ChainEntry {
  subject: string;
  issuer: string;
  not_after: string;
  days_left: number;
  /** The same certificate is in the configuration's CA. */
  in_ca: boolean;
}

export type ChainVerdict = 'full' | 'partial' | 'failed';

export interface ProbeResult {
  chain: ChainEntry[];
  verification: ChainVerdict;
  hostname_in_san: boolean;
  san: string | null;
  findings: Finding[];
}

/** Below this many days to expiry a certificate gets a warning. */
export const EXPIRY_WARNING_DAYS = 30;
const DAY_MS = 86_400_000;

export async function probeServer(target: ProbeTarget, now: Date = new Date()): Promise<ProbeResult> {
  const peer = await handshake(target);
  const caCerts = certificatesInBundle(target.caPem);
  const presented = chainOf(peer);
  const findings: Finding[] = [];
  const leaf = presented[0];
  if (leaf === undefined) throw new Error('the server presented no certificate');

  const chain = presented.map((cert): ChainEntry => {
    const notAfter = new Date(cert.validTo);
    return {
      subject: oneLine(cert.subject),
      issuer: oneLine(cert.issuer),
      not_after: notAfter.toISOString(),
      days_left: Math.floor((notAfter.getTime() - now.getTime()) / DAY_MS),
      in_ca: caCerts.some((ca) => ca.fingerprint256 === cert.fingerprint256),
    };
  });
  for (const entry of chain) {
    if (entry.days_left < 0) findings.push({ level: 'error', key: entry.subject, message: `expired on ${entry.not_after}` });
    else if (entry.days_left < EXPIRY_WARNING_DAYS)
      findings.push({ level: 'warning', key: entry.subject, message: `expires in ${entry.days_left} days (${entry.not_after})` });
  }

  const verification = verifyChain(presented, caCerts);
  if (verification === 'failed')
    findings.push({
      level: 'error',
      key: 'ca',
      message:
        'the server certificate chain does not verify against the CA of the configuration (wrong CA, or the server does not send its intermediate certificates)',
    });
  else if (verification === 'partial')
    findings.push({
      level: 'warning',
      key: 'ca',
      message:
        'the chain verifies only up to an intermediate CA of the configuration (partial chain), not to a root: add the root CA to "ca"',
    });

  const identityError = checkServerIdentity(target.hostname, peer as PeerCertificate);
  if (identityError !== undefined) findings.push({ level: 'error', key: 'hostname', message: identityError.message });
  return { chain, verification, hostname_in_san: identityError === undefined, san: peer.subjectaltname ?? null, findings };
}

/**
 * `full`: from the leaf, through certificates the server sent or the CA file holds, to a self-signed
 * root of the CA file. `partial`: the walk reaches a CA of the file but no root (OpenSSL's
 * -partial_chain would accept it). `failed`: no CA of the file signs the chain.
 */
export function verifyChain(presented: readonly X509Certificate[], caCerts: readonly X509Certificate[]): ChainVerdict {
  const inCa = (cert: X509Certificate): boolean => caCerts.some((ca) => ca.fingerprint256 === cert.fingerprint256);
  let current = presented[0];
  let anchored = current !== undefined && inCa(current);
  for (let depth = 0; current !== undefined && depth < 10; depth++) {
    if (isSelfSigned(current)) return inCa(current) ? 'full' : anchored ? 'partial' : 'failed';
    const child: X509Certificate = current;
    const issuer = [...caCerts, ...presented].find((c) => c.ca && child.checkIssued(c) && child.verify(c.publicKey));
    if (issuer === undefined) return anchored ? 'partial' : 'failed';
    if (inCa(issuer)) anchored = true;
    current = issuer;
  }
  return anchored ? 'partial' : 'failed';
}

function isSelfSigned(cert: X509Certificate): boolean {
  return cert.checkIssued(cert) && cert.verify(cert.publicKey);
}

function handshake(target: ProbeTarget): Promise<DetailedPeerCertificate> {
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: target.address ?? target.hostname,
      port: target.port,
      servername: isIP(target.hostname) === 0 ? target.hostname : undefined,
      ca: target.caPem,
      // We judge the chain ourselves, so a broken one is reported instead of failing the handshake.
      rejectUnauthorized: false,
    });
    socket.setTimeout(target.timeoutMs, () => socket.destroy(new Error(`no TLS handshake within ${target.timeoutMs} ms`)));
    socket.once('secureConnect', () => {
      const peer = socket.getPeerCertificate(true);
      socket.end();
      resolve(peer);
    });
    socket.once('error', (error) =>
      reject(new Error(`cannot connect to ${target.address ?? target.hostname}:${target.port}: ${error.message}`)),
    );
  });
}

/** Leaf first; node appends the issuers it found in the CA file to what the server sent. */
function chainOf(peer: DetailedPeerCertificate): X509Certificate[] {
  const chain: X509Certificate[] = [];
  let node: DetailedPeerCertificate | undefined = peer;
  while (node?.raw !== undefined && chain.length < 10) {
    const cert = new X509Certificate(node.raw);
    if (chain.some((c) => c.fingerprint256 === cert.fingerprint256)) break; // a self-signed root points at itself
    chain.push(cert);
    node = node.issuerCertificate;
  }
  return chain;
}

function oneLine(name: string): string {
  return name.split('\n').join(', ');
}
