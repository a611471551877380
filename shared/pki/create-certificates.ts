/**
 * Certificate generation for dev mode, tests and benchmarks: a CA, and certificates it issues.
 *
 * ECDSA P-256 throughout (fast to generate). The extensions are the ones OpenSSL 3 (node:tls) wants
 * for mutual TLS: basicConstraints, keyUsage, extendedKeyUsage, SAN for servers, and key
 * identifiers so chains build by key id. Subject and issuer attributes are what the identity rules
 * read (PROTOCOL.md §3): issuer CN, every subject CN (the last one counts), OUs in order, EKU OIDs
 * in order.
 */
import { createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto);

/** A certificate and its private key, both PEM (key as PKCS#8 "PRIVATE KEY"). */
export interface PemKeyPair {
  certPem: string;
  keyPem: string;
}

/**
 * One relative distinguished name: attribute short name or dotted OID → values. Several keys or
 * values in one object make a multi-valued RDN (e.g. `CN=a+OU=b`).
 */
export type RelativeDistinguishedName = Record<string, string[]>;

export interface NameOptions {
  commonName?: string;
  /** Several CN attributes, each its own RDN, in this order (Go keeps the last one, §3). */
  commonNames?: string[];
  /** OU attributes, each its own RDN, in this order; they precede the CN(s) in the subject. */
  organizationalUnits?: string[];
  organization?: string;
  /** Full control over the subject (wins over the fields above), RDNs in order. */
  subject?: RelativeDistinguishedName[];
}

export interface CaOptions extends NameOptions {
  validityDays?: number;
}

export interface IssueOptions extends NameOptions {
  /** Extended key usage OIDs in this order; default clientAuth (serverAuth when `isServer`). */
  extKeyUsageOids?: string[];
  /** Server certificate: EKU serverAuth by default and a SAN from dnsNames/ipAddresses. */
  isServer?: boolean;
  dnsNames?: string[];
  ipAddresses?: string[];
  /** Issue an intermediate CA instead of an end-entity certificate. */
  isCa?: boolean;
  validityDays?: number;
}

export const EKU_SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
export const EKU_CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

const P256: webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGNING: webcrypto.EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };
const DAY_MS = 86_400_000;
/** Back-date notBefore so a peer with a slightly slow clock still accepts a fresh certificate. */
const CLOCK_SKEW_MS = 3_600_000;

export async function createCa(options: CaOptions): Promise<PemKeyPair> {
  const keys = await webcrypto.subtle.generateKey(P256, true, ['sign', 'verify']);
  const name = subjectName(options);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(true, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    await x509.AuthorityKeyIdentifierExtension.create(keys.publicKey),
  ];
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name,
    ...validity(options.validityDays ?? 3650),
    keys,
    signingAlgorithm: SIGNING,
    extensions,
  });
  return { certPem: withNewline(cert.toString('pem')), keyPem: await exportKeyPem(keys.privateKey) };
}

export async function issueCertificate(ca: PemKeyPair, options: IssueOptions): Promise<PemKeyPair> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await importSigningKey(ca.keyPem);
  const keys = await webcrypto.subtle.generateKey(P256, true, ['sign', 'verify']);

  const extensions: x509.Extension[] = [];
  if (options.isCa) {
    extensions.push(
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
    );
  } else {
    extensions.push(
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    );
  }
  const eku = options.extKeyUsageOids ?? (options.isCa ? [] : [options.isServer ? EKU_SERVER_AUTH : EKU_CLIENT_AUTH]);
  if (eku.length > 0) extensions.push(new x509.ExtendedKeyUsageExtension(eku, false));

  const san: x509.JsonGeneralName[] = [
    ...(options.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(options.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  if (san.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(san, false));

  extensions.push(
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey),
  );

  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: subjectName(options),
    // The CA's own encoded subject, so issuer/subject name matching is byte-exact.
    issuer: caCert.subjectName,
    ...validity(options.validityDays ?? 825),
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm: signingAlgorithmFor(caKey),
    extensions,
  });
  return { certPem: withNewline(cert.toString('pem')), keyPem: await exportKeyPem(keys.privateKey) };
}

function subjectName(options: NameOptions): x509.Name {
  const rdns: RelativeDistinguishedName[] = options.subject ? [...options.subject] : [];
  if (!options.subject) {
    if (options.organization !== undefined) rdns.push({ O: [options.organization] });
    for (const ou of options.organizationalUnits ?? []) rdns.push({ OU: [ou] });
    const cns = options.commonNames ?? (options.commonName !== undefined ? [options.commonName] : []);
    for (const cn of cns) rdns.push({ CN: [cn] });
  }
  if (rdns.length === 0) throw new Error('certificate subject needs a commonName, commonNames or subject');
  // Typed values: @peculiar/x509 would otherwise parse plain strings as RFC 4514 text (dropping
  // quotes and backslashes), and tests need values written exactly as given.
  return new x509.Name(
    rdns.map((rdn) =>
      Object.fromEntries(Object.entries(rdn).map(([type, values]) => [type, values.map((value) => typedValue(type, value))])),
    ),
  );
}

const IA5_ATTRIBUTES = new Set(['E', 'DC', '1.2.840.113549.1.9.1', '0.9.2342.19200300.100.1.25']);

/** PrintableString where its alphabet allows (as most CAs do), else UTF8String; IA5 for e-mail/DC. */
function typedValue(type: string, value: string): x509.JsonAttributeObject {
  if (IA5_ATTRIBUTES.has(type)) return { ia5String: value };
  return /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(value) ? { printableString: value } : { utf8String: value };
}

/** Positive 128-bit serial (RFC 5280 §4.1.2.2: at most 20 octets, non-negative). */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] & 0x7f) | 0x01;
  return bytes.toString('hex');
}

function validity(days: number): { notBefore: Date; notAfter: Date } {
  const now = Date.now();
  return { notBefore: new Date(now - CLOCK_SKEW_MS), notAfter: new Date(now + days * DAY_MS) };
}

async function exportKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return withNewline(x509.PemConverter.encode(der, 'PRIVATE KEY'));
}

/** Ends PEM text with a newline so bundles can be made by concatenation (OpenSSL needs it). */
function withNewline(pem: string): string {
  return pem.endsWith('\n') ? pem : `${pem}\n`;
}

const WEBCRYPTO_CURVES: Readonly<Record<string, string>> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

/** Imports a CA key from PEM (any form node reads: PKCS#8, SEC1, PKCS#1); EC or RSA. */
async function importSigningKey(pem: string): Promise<webcrypto.CryptoKey> {
  const key = createPrivateKey(pem);
  const der = key.export({ format: 'der', type: 'pkcs8' });
  if (key.asymmetricKeyType === 'ec') {
    const curve = WEBCRYPTO_CURVES[key.asymmetricKeyDetails?.namedCurve ?? ''];
    if (!curve) throw new Error(`unsupported CA key curve: ${key.asymmetricKeyDetails?.namedCurve}`);
    return webcrypto.subtle.importKey('pkcs8', der, { name: 'ECDSA', namedCurve: curve }, false, ['sign']);
  }
  if (key.asymmetricKeyType === 'rsa') {
    return webcrypto.subtle.importKey('pkcs8', der, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']);
  }
  throw new Error(`unsupported CA key type: ${key.asymmetricKeyType}`);
}

function signingAlgorithmFor(key: webcrypto.CryptoKey): webcrypto.Algorithm | webcrypto.EcdsaParams {
  if (key.algorithm.name === 'ECDSA') {
    const curve = (key.algorithm as webcrypto.EcKeyAlgorithm).namedCurve;
    return { name: 'ECDSA', hash: curve === 'P-521' ? 'SHA-512' : curve === 'P-384' ? 'SHA-384' : 'SHA-256' };
  }
  return { name: 'RSASSA-PKCS1-v1_5' };
}
