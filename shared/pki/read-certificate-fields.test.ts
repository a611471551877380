import { X509Certificate } from 'node:crypto';
import { createCa, issueCertificate } from './create-certificates';
import { CertificateParseError, firstPemCertificate, readCertificateFields } from './read-certificate-fields';

/** Minimal DER encoder for hand-made certificates (only the structure the reader walks). */
function tlv(tag: number, ...content: Array<Uint8Array | number[]>): number[] {
  const body = content.flatMap((c) => Array.from(c));
  const n = body.length;
  const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return [tag, ...length, ...body];
}
function oid(dotted: string): number[] {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const bytes: number[] = [];
  for (const arc of [a * 40 + b, ...rest]) {
    const groups = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) groups.unshift((v & 0x7f) | 0x80);
    bytes.push(...groups);
  }
  return tlv(0x06, bytes);
}
const str = (tag: number, bytes: number[] | Uint8Array): number[] => tlv(tag, bytes);
const atv = (type: string, value: number[]): number[] => tlv(0x30, oid(type), value);
const name = (...rdns: number[][][]): number[] => tlv(0x30, ...rdns.map((attrs) => tlv(0x31, ...attrs)));
const utf8 = (s: string): number[] => Array.from(new TextEncoder().encode(s));

function certificate(issuer: number[], subject: number[], extensions?: number[][]): Uint8Array {
  const tbs = tlv(
    0x30,
    tlv(0xa0, tlv(0x02, [2])),
    tlv(0x02, [1]),
    tlv(0x30),
    issuer,
    tlv(0x30),
    subject,
    tlv(0x30),
    ...(extensions ? [tlv(0xa3, tlv(0x30, ...extensions))] : []),
  );
  return new Uint8Array(tlv(0x30, tbs, tlv(0x30), tlv(0x03, [0])));
}
const ekuExtension = (oids: string[], critical = false): number[] =>
  tlv(0x30, oid('2.5.29.37'), ...(critical ? [tlv(0x01, [0xff])] : []), tlv(0x04, tlv(0x30, ...oids.map(oid))));

const CN = '2.5.4.3';
const OU = '2.5.4.11';

describe('readCertificateFields on hand-made DER', () => {
  test('string types decode like Go: UTF8, Printable, IA5, Numeric, T61 (byte = code point), BMP (trailing NUL dropped)', () => {
    const subject = name(
      [atv(CN, str(0x0c, utf8('ü车')))],
      [atv(CN, str(0x13, utf8('Printable')))],
      [atv(CN, str(0x16, utf8('ia5@x')))],
      [atv(CN, str(0x12, utf8('0123 4')))],
      [atv(CN, str(0x14, [0x41, 0x80, 0x9f, 0xe9]))],
      [atv(CN, str(0x1e, [0x00, 0x41, 0x8f, 0x66, 0x00, 0x00]))],
    );
    const fields = readCertificateFields(certificate(name([atv(CN, str(0x13, utf8('CA')))]), subject));
    expect(fields.subject.map((a) => a.value)).toEqual(['ü车', 'Printable', 'ia5@x', '0123 4', 'A\u0080\u009fé', 'A车']);
    expect(fields.issuer).toEqual([{ oid: CN, value: 'CA' }]);
    expect(fields.extKeyUsageOids).toEqual([]);
  });

  test('multi-valued RDNs keep encoded order; long-form lengths', () => {
    const long = 'x'.repeat(300);
    const subject = name([atv(OU, str(0x0c, utf8('b'))), atv(CN, str(0x0c, utf8('a')))], [atv(CN, str(0x0c, utf8(long)))]);
    expect(readCertificateFields(certificate(name(), subject)).subject).toEqual([
      { oid: OU, value: 'b' },
      { oid: CN, value: 'a' },
      { oid: CN, value: long },
    ]);
  });

  test('EKU OIDs in certificate order, critical flag or not, after other extensions', () => {
    const other = tlv(0x30, oid('2.5.29.19'), tlv(0x04, tlv(0x30)));
    const oids = ['1.3.6.1.4.1.49279.2.5.1.1', '1.3.6.1.5.5.7.3.2', '1.3.6.1.4.1.49279.2.4.28', '2.999.1234567890'];
    expect(readCertificateFields(certificate(name(), name(), [other, ekuExtension(oids)])).extKeyUsageOids).toEqual(oids);
    expect(readCertificateFields(certificate(name(), name(), [ekuExtension(oids, true)])).extKeyUsageOids).toEqual(oids);
    expect(readCertificateFields(certificate(name(), name(), [other])).extKeyUsageOids).toEqual([]);
  });

  test('short OIDs read again (remembered by their bytes) keep their own text, whatever the length', () => {
    const types = ['0.0', '0.0.0', '0.0.0.0', '2.5.4.3', '2.5.4.11', '1.2.840.113549', '2.5.4.3.0'];
    const subject = name(...types.map((t) => [atv(t, str(0x0c, utf8(t)))]));
    for (let round = 0; round < 2; round++) {
      expect(readCertificateFields(certificate(name(), subject)).subject).toEqual(types.map((t) => ({ oid: t, value: t })));
    }
    // A truncated short OID is refused every time, not remembered.
    const truncated = certificate(name(), name([tlv(0x30, tlv(0x06, [0x55, 0x84]), str(0x0c, utf8('x')))]));
    expect(() => readCertificateFields(truncated)).toThrow(CertificateParseError);
    expect(() => readCertificateFields(truncated)).toThrow(CertificateParseError);
  });

  test.each([
    ['invalid UTF8String', certificate(name(), name([atv(CN, str(0x0c, [0xc3]))]))],
    ['UniversalString (Go rejects it)', certificate(name(), name([atv(CN, str(0x1c, [0, 0, 0, 0x41]))]))],
    ['odd-length BMPString', certificate(name(), name([atv(CN, str(0x1e, [0, 0x41, 0]))]))],
    ['indefinite length', new Uint8Array([0x30, 0x80, 0x00, 0x00])],
    ['not a sequence', new Uint8Array([0x04, 0x00])],
    ['trailing garbage inside', new Uint8Array(tlv(0x30, tlv(0x30, [0x02])))],
  ])('%s ⇒ CertificateParseError', (_name, der) => {
    expect(() => readCertificateFields(der)).toThrow(CertificateParseError);
  });
});

describe('readCertificateFields on generated certificates', () => {
  test('agrees with node:crypto X509Certificate', async () => {
    const ca = await createCa({ commonNames: ['Outer', 'Tesla Motors Product Issuing CA'], organization: 'Org' });
    const eku = ['1.3.6.1.4.1.49279.2.5.2', '1.3.6.1.5.5.7.3.2', '1.3.6.1.4.1.49279.2.5.1.1'];
    const leaf = await issueCertificate(ca, {
      commonNames: ['one', 'two.three'],
      organizationalUnits: ['Gen3 Wall Connector', 'x'],
      extKeyUsageOids: eku,
    });
    const der = firstPemCertificate(leaf.certPem + ca.certPem);
    if (!der) throw new Error('no DER');
    const node = new X509Certificate(leaf.certPem);
    expect(Buffer.from(der).equals(node.raw)).toBe(true);
    const fields = readCertificateFields(der);
    expect(fields.extKeyUsageOids).toEqual(node.keyUsage);
    expect(fields.extKeyUsageOids).toEqual(eku);
    const asText = (attrs: Array<{ oid: string; value: string }>): string =>
      attrs.map((a) => `${({ [CN]: 'CN', [OU]: 'OU', '2.5.4.10': 'O' } as Record<string, string>)[a.oid]}=${a.value}`).join('\n');
    expect(asText(fields.subject)).toBe(node.subject);
    expect(asText(fields.issuer)).toBe(node.issuer);
  });

  test('firstPemCertificate: none, or not PEM', () => {
    expect(firstPemCertificate('')).toBeUndefined();
    expect(firstPemCertificate('-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n')).toBeUndefined();
    expect(firstPemCertificate('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n')).toBeUndefined();
  });
});
