/**
 * Trusted-proxy mTLS (`trusted_proxy`): behind an L7 load balancer that terminates TLS, the
 * vehicle's client certificate arrives in a request header instead of the TLS handshake. It is
 * accepted only from the proxy (the separate plain listener, and/or source addresses in
 * `trusted_proxy.source_cidrs`), and only after the gateway verified it against `tls.ca_file`
 * itself: the proxy's word alone is never trusted. The identity rules are those of a direct
 * certificate (identity.ts).
 *
 * Headers: RFC 9440 `Client-Cert` (a structured-field byte sequence `:<base64 DER>:`) with the
 * optional `Client-Cert-Chain` (a list of them), or AWS ALB's `X-Amzn-Mtls-Clientcert` (mTLS
 * passthrough mode: the URL-encoded PEM chain, leaf first). The operator names the one their proxy
 * sets: a proxy passes the other through from the client unchanged.
 */
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import type { BlockList } from 'node:net';
import { identityFromCertificate } from '../identity';
import type { Identity } from '../identity';
import { readCertificateFields } from '../../shared/pki/read-certificate-fields';
import { FORWARDED_HEADERS, sourceList } from '../../config/trusted-proxy';

const CHAIN_HEADER = 'client-cert-chain';
/** Every header that carries a forwarded certificate, whichever one is configured. */
const ALL_HEADERS = [FORWARDED_HEADERS.rfc9440, CHAIN_HEADER, FORWARDED_HEADERS.alb];

const EKU_CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const EKU_ANY = '2.5.29.37.0';
const MAX_CHAIN = 8;

export type RefusalReason = 'untrusted_source' | 'direct_and_forwarded' | 'missing' | 'malformed' | 'unverified';

export type ForwardedResult =
  /** No forwarded certificate here: the direct one decides. */
  | { kind: 'direct' }
  | { kind: 'forwarded'; identity: Identity }
  | { kind: 'refused'; reason: RefusalReason; status: string; detail: string };

export interface ForwardedOptions {
  /** Lower-case name of the header the proxy sets (FORWARDED_HEADERS). */
  header: string;
  /** PEM text of `tls.ca_file`. */
  caPem: string;
  /** Addresses allowed to forward a certificate; on the proxy listener, none = any. */
  sourceCidrs: readonly string[];
}

/** Where the request came in, and what it carries (read from uWS before any await). */
export interface ForwardedRequest {
  /** true: the trusted-proxy plain listener; false: the main mTLS listener. */
  proxyListener: boolean;
  remoteAddress: string;
  /** The TLS client certificate (PEM), '' when none (always '' on the proxy listener). */
  directCertificate: string;
  header(name: string): string;
}

export class ForwardedCertificates {
  private readonly roots: X509Certificate[];
  private readonly sources: BlockList;
  private readonly anySource: boolean;

  constructor(private readonly options: ForwardedOptions) {
    this.roots = pemCertificates(options.caPem);
    this.sources = sourceList(options.sourceCidrs);
    this.anySource = options.sourceCidrs.length === 0;
  }

  check(request: ForwardedRequest, now = new Date()): ForwardedResult {
    const present = ALL_HEADERS.some((name) => request.header(name) !== '');
    if (!request.proxyListener) {
      if (!present) return { kind: 'direct' };
      if (request.directCertificate !== '')
        return refused('direct_and_forwarded', '400 Bad Request', 'a client certificate and a forwarded one together');
      if (this.anySource || !this.trusted(request.remoteAddress))
        return refused('untrusted_source', '403 Forbidden', 'forwarded client certificate from an untrusted address');
    } else if (!this.anySource && !this.trusted(request.remoteAddress)) {
      return refused('untrusted_source', '403 Forbidden', 'forwarded client certificate from an untrusted address');
    }
    const value = request.header(this.options.header);
    if (value === '') return refused('missing', '401 Unauthorized', 'client certificate required');
    let chain: X509Certificate[];
    try {
      chain =
        this.options.header === FORWARDED_HEADERS.alb
          ? pemCertificates(decodeURIComponent(value))
          : [...byteSequences(value, true), ...byteSequences(request.header(CHAIN_HEADER), false)].map((der) => new X509Certificate(der));
      if (chain.length === 0) throw new Error('no certificate');
    } catch (e) {
      return refused(
        'malformed',
        '400 Bad Request',
        `unreadable forwarded client certificate: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    const failure = verifyChain(chain[0], chain.slice(1), this.roots, now);
    if (failure !== undefined) return refused('unverified', '401 Unauthorized', `forwarded client certificate not accepted: ${failure}`);
    return { kind: 'forwarded', identity: identityFromCertificate(chain[0]) };
  }

  private trusted(address: string): boolean {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    const plain = mapped === null ? address : mapped[1];
    const family = isIP(plain);
    return family !== 0 && this.sources.check(plain, family === 4 ? 'ipv4' : 'ipv6');
  }
}

function refused(reason: RefusalReason, status: string, detail: string): ForwardedResult {
  return { kind: 'refused', reason, status, detail };
}

/** RFC 8941 byte sequences (`:<base64>:`), one or (for a chain) a comma-separated list; parameters ignored. */
function byteSequences(value: string, single: boolean): Buffer[] {
  if (value.trim() === '') return [];
  const members = value.split(',');
  if (single && members.length !== 1) throw new Error('Client-Cert holds more than one certificate');
  return members.map((member) => {
    const item = member.trim().split(';')[0];
    const match = /^:([A-Za-z0-9+/]*={0,2}):$/.exec(item);
    if (match === null) throw new Error('not a structured-field byte sequence');
    return Buffer.from(match[1], 'base64');
  });
}

function pemCertificates(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((block) => new X509Certificate(block));
}

/**
 * What OpenSSL checks of a direct client certificate: a chain through the presented intermediates
 * (CA certificates) to a certificate of `tls.ca_file`, signatures, validity periods, and an
 * extended key usage that allows client authentication when the leaf has one.
 */
export function verifyChain(leaf: X509Certificate, presented: X509Certificate[], roots: X509Certificate[], now: Date): string | undefined {
  // A CA certificate is public: as a "client certificate" it would prove nothing.
  if (leaf.ca) return 'a CA certificate is not a client certificate';
  const eku = readCertificateFields(leaf.raw).extKeyUsageOids;
  if (eku.length > 0 && !eku.includes(EKU_CLIENT_AUTH) && !eku.includes(EKU_ANY)) return 'not a client authentication certificate';
  let current = leaf;
  for (let depth = 0; depth < MAX_CHAIN; depth++) {
    if (!validAt(current, now)) return `certificate "${current.subject.replaceAll('\n', ', ')}" is expired or not yet valid`;
    const root = roots.find((r) => current.checkIssued(r) && current.verify(r.publicKey));
    if (root !== undefined) return validAt(root, now) ? undefined : 'the CA certificate is expired';
    const next = presented.find((c) => c !== current && c.ca && current.checkIssued(c) && current.verify(c.publicKey));
    if (next === undefined) return 'not issued by a CA of tls.ca_file';
    current = next;
  }
  return 'chain too long';
}

function validAt(certificate: X509Certificate, now: Date): boolean {
  return new Date(certificate.validFrom) <= now && now <= new Date(certificate.validTo);
}
