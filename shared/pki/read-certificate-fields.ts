/**
 * Reads the certificate fields the identity rules use (PROTOCOL.md §3): issuer and subject
 * attributes in encoded order (multi-valued RDNs included) and the extended-key-usage OIDs in
 * certificate order.
 *
 * A small DER walker rather than a general parser: @peculiar/x509 takes ~1.6 ms per certificate
 * and node's X509Certificate only offers the subject as escaped text, while this reads the raw
 * attribute values in a few microseconds. Attribute strings are decoded like Go's x509 parser
 * (which upstream uses): the six string types it accepts, anything else is an error.
 */

export interface NameAttribute {
  /** Dotted OID, e.g. 2.5.4.3 for CN. */
  oid: string;
  value: string;
}

export interface CertificateFields {
  issuer: NameAttribute[];
  subject: NameAttribute[];
  extKeyUsageOids: string[];
}

export const OID_COMMON_NAME = '2.5.4.3';
export const OID_ORGANIZATIONAL_UNIT = '2.5.4.11';
const OID_EXT_KEY_USAGE = '2.5.29.37';

const TAG_BOOLEAN = 0x01;
const TAG_INTEGER = 0x02;
const TAG_OCTET_STRING = 0x04;
const TAG_OID = 0x06;
const TAG_UTF8_STRING = 0x0c;
const TAG_NUMERIC_STRING = 0x12;
const TAG_PRINTABLE_STRING = 0x13;
const TAG_T61_STRING = 0x14;
const TAG_IA5_STRING = 0x16;
const TAG_BMP_STRING = 0x1e;
const TAG_SEQUENCE = 0x30;
const TAG_SET = 0x31;
const TAG_VERSION = 0xa0; // [0] EXPLICIT
const TAG_EXTENSIONS = 0xa3; // [3] EXPLICIT

export class CertificateParseError extends Error {}

interface Tlv {
  tag: number;
  /** Content start and end (exclusive). */
  start: number;
  end: number;
}

/** Reads the first certificate of a PEM bundle as DER; undefined when there is none. */
export function firstPemCertificate(pem: string): Uint8Array | undefined {
  const begin = pem.indexOf('-----BEGIN CERTIFICATE-----');
  if (begin < 0) return undefined;
  const bodyStart = begin + '-----BEGIN CERTIFICATE-----'.length;
  const end = pem.indexOf('-----END CERTIFICATE-----', bodyStart);
  if (end < 0) return undefined;
  const der = Buffer.from(pem.slice(bodyStart, end), 'base64');
  return der.length > 0 ? new Uint8Array(der.buffer, der.byteOffset, der.length) : undefined;
}

/** Throws CertificateParseError on anything that is not a well-formed X.509 certificate prefix. */
export function readCertificateFields(der: Uint8Array): CertificateFields {
  const cert = expectTag(readTlv(der, 0, der.length), TAG_SEQUENCE, 'certificate');
  const tbs = expectTag(readTlv(der, cert.start, cert.end), TAG_SEQUENCE, 'tbsCertificate');

  let next = readTlv(der, tbs.start, tbs.end);
  if (next.tag === TAG_VERSION) next = readTlv(der, next.end, tbs.end);
  expectTag(next, TAG_INTEGER, 'serialNumber');
  const signature = expectTag(readTlv(der, next.end, tbs.end), TAG_SEQUENCE, 'signature');
  const issuer = expectTag(readTlv(der, signature.end, tbs.end), TAG_SEQUENCE, 'issuer');
  const validity = expectTag(readTlv(der, issuer.end, tbs.end), TAG_SEQUENCE, 'validity');
  const subject = expectTag(readTlv(der, validity.end, tbs.end), TAG_SEQUENCE, 'subject');
  const spki = expectTag(readTlv(der, subject.end, tbs.end), TAG_SEQUENCE, 'subjectPublicKeyInfo');

  let extKeyUsageOids: string[] = [];
  for (let at = spki.end; at < tbs.end;) {
    const item = readTlv(der, at, tbs.end);
    at = item.end;
    if (item.tag === TAG_EXTENSIONS) extKeyUsageOids = readExtKeyUsage(der, item);
  }
  return { issuer: readName(der, issuer), subject: readName(der, subject), extKeyUsageOids };
}

/** Name ::= SEQUENCE OF SET OF SEQUENCE { type OID, value ANY }. */
function readName(der: Uint8Array, name: Tlv): NameAttribute[] {
  const attributes: NameAttribute[] = [];
  for (let at = name.start; at < name.end;) {
    const rdn = expectTag(readTlv(der, at, name.end), TAG_SET, 'RDN');
    at = rdn.end;
    for (let inner = rdn.start; inner < rdn.end;) {
      const atv = expectTag(readTlv(der, inner, rdn.end), TAG_SEQUENCE, 'attribute');
      inner = atv.end;
      const type = expectTag(readTlv(der, atv.start, atv.end), TAG_OID, 'attribute type');
      const value = readTlv(der, type.end, atv.end);
      attributes.push({ oid: decodeOid(der, type), value: decodeString(der, value) });
    }
  }
  return attributes;
}

function readExtKeyUsage(der: Uint8Array, wrapper: Tlv): string[] {
  const extensions = expectTag(readTlv(der, wrapper.start, wrapper.end), TAG_SEQUENCE, 'extensions');
  for (let at = extensions.start; at < extensions.end;) {
    const extension = expectTag(readTlv(der, at, extensions.end), TAG_SEQUENCE, 'extension');
    at = extension.end;
    const id = expectTag(readTlv(der, extension.start, extension.end), TAG_OID, 'extension id');
    if (decodeOid(der, id) !== OID_EXT_KEY_USAGE) continue;
    let value = readTlv(der, id.end, extension.end);
    if (value.tag === TAG_BOOLEAN) value = readTlv(der, value.end, extension.end);
    expectTag(value, TAG_OCTET_STRING, 'extension value');
    const list = expectTag(readTlv(der, value.start, value.end), TAG_SEQUENCE, 'extKeyUsage');
    const oids: string[] = [];
    for (let inner = list.start; inner < list.end;) {
      const oid = expectTag(readTlv(der, inner, list.end), TAG_OID, 'key purpose');
      inner = oid.end;
      oids.push(decodeOid(der, oid));
    }
    return oids;
  }
  return [];
}

function readTlv(der: Uint8Array, at: number, limit: number): Tlv {
  if (at + 2 > limit) throw new CertificateParseError('truncated DER element');
  const tag = der[at];
  if ((tag & 0x1f) === 0x1f) throw new CertificateParseError('unsupported high-number DER tag');
  let length = der[at + 1];
  let start = at + 2;
  if (length & 0x80) {
    const octets = length & 0x7f;
    if (octets === 0 || octets > 4 || start + octets > limit) throw new CertificateParseError('bad DER length');
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + der[start + i];
    start += octets;
  }
  if (start + length > limit) throw new CertificateParseError('DER element runs past its container');
  return { tag, start, end: start + length };
}

function expectTag(tlv: Tlv, tag: number, what: string): Tlv {
  if (tlv.tag !== tag) throw new CertificateParseError(`unexpected DER tag 0x${tlv.tag.toString(16)} for ${what}`);
  return tlv;
}

/**
 * Dotted text of the short OIDs seen so far (attribute types, extension ids: 3 bytes each), by
 * their bytes as one number: every certificate repeats the same few, so each handshake does not
 * rebuild them. Bounded: at most SHORT_OID_LIMIT distinct ones are kept.
 */
const shortOids = new Map<number, string>();
const SHORT_OID_BYTES = 6;
const SHORT_OID_LIMIT = 256;

function decodeOid(der: Uint8Array, oid: Tlv): string {
  const length = oid.end - oid.start;
  if (length === 0 || length > SHORT_OID_BYTES) return decodeOidText(der, oid);
  let key = length; // the length in the key tells 0x00-led OIDs of different lengths apart
  for (let i = oid.start; i < oid.end; i++) key = key * 256 + der[i];
  let text = shortOids.get(key);
  if (text === undefined) {
    text = decodeOidText(der, oid);
    if (shortOids.size < SHORT_OID_LIMIT) shortOids.set(key, text);
  }
  return text;
}

function decodeOidText(der: Uint8Array, oid: Tlv): string {
  if (oid.start === oid.end) throw new CertificateParseError('empty OID');
  const arcs: number[] = [];
  let value = 0;
  for (let i = oid.start; i < oid.end; i++) {
    value = value * 128 + (der[i] & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 128) throw new CertificateParseError('OID arc too large');
    if ((der[i] & 0x80) === 0) {
      if (arcs.length === 0) arcs.push(value < 40 ? 0 : value < 80 ? 1 : 2, value < 80 ? value % 40 : value - 80);
      else arcs.push(value);
      value = 0;
    } else if (i === oid.end - 1) {
      throw new CertificateParseError('truncated OID');
    }
  }
  return arcs.join('.');
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The string types Go's x509 accepts in names; the others make it reject the certificate. */
function decodeString(der: Uint8Array, value: Tlv): string {
  const bytes = der.subarray(value.start, value.end);
  switch (value.tag) {
    case TAG_UTF8_STRING:
      try {
        return utf8.decode(bytes);
      } catch {
        throw new CertificateParseError('invalid UTF8String');
      }
    case TAG_PRINTABLE_STRING:
    case TAG_IA5_STRING:
    case TAG_NUMERIC_STRING:
    case TAG_T61_STRING: // Go maps each T61 byte to the code point of the same value
      // Buffer's latin1 is ISO-8859-1; TextDecoder('latin1') would be windows-1252.
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
    case TAG_BMP_STRING: {
      if (bytes.length % 2 !== 0) throw new CertificateParseError('invalid BMPString');
      // Go strips one trailing NUL terminator.
      const n = bytes.length >= 2 && bytes[bytes.length - 1] === 0 && bytes[bytes.length - 2] === 0 ? bytes.length - 2 : bytes.length;
      let s = '';
      for (let i = 0; i < n; i += 2) s += String.fromCharCode((bytes[i] << 8) | bytes[i + 1]);
      return s;
    }
    default:
      throw new CertificateParseError(`unsupported string type: ${value.tag}`);
  }
}
