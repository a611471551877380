import { X509Certificate as NodeX509 } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { createCa, issueCertificate, EKU_CLIENT_AUTH, EKU_SERVER_AUTH } from './create-certificates';

describe('createCa / issueCertificate', () => {
  test('CA and leaf carry the extensions OpenSSL 3 wants for mutual TLS', async () => {
    const ca = await createCa({ commonName: 'Test CA' });
    const server = await issueCertificate(ca, {
      commonName: 'localhost',
      isServer: true,
      dnsNames: ['localhost'],
      ipAddresses: ['127.0.0.1'],
    });
    const client = await issueCertificate(ca, { commonName: 'VIN' });

    const caCert = new x509.X509Certificate(ca.certPem);
    expect(caCert.getExtension(x509.BasicConstraintsExtension)).toMatchObject({ ca: true, critical: true });
    expect(caCert.getExtension(x509.KeyUsagesExtension)?.usages).toBe(
      x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
    );
    const caKeyId = caCert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
    expect(caKeyId).toMatch(/^[0-9a-f]{40}$/);

    for (const [pem, eku] of [
      [server.certPem, EKU_SERVER_AUTH],
      [client.certPem, EKU_CLIENT_AUTH],
    ]) {
      const cert = new x509.X509Certificate(pem);
      expect(cert.getExtension(x509.BasicConstraintsExtension)).toMatchObject({ ca: false, critical: true });
      expect(cert.getExtension(x509.KeyUsagesExtension)).toMatchObject({ usages: x509.KeyUsageFlags.digitalSignature, critical: true });
      expect(cert.getExtension(x509.ExtendedKeyUsageExtension)?.usages).toEqual([eku]);
      expect(cert.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId).toBe(caKeyId);
      expect(cert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId).toMatch(/^[0-9a-f]{40}$/);
      expect(cert.issuer).toBe('CN=Test CA');
      expect(await cert.verify({ publicKey: caCert.publicKey, signatureOnly: true })).toBe(true);
    }
    expect(new NodeX509(server.certPem).subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1');
    expect(new NodeX509(client.certPem).subjectAltName).toBeUndefined();
    expect(server.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n[\s\S]+\n-----END PRIVATE KEY-----\n$/);
  });

  test('custom EKU OIDs keep their order; several CNs and OUs keep theirs', async () => {
    const ca = await createCa({ commonName: 'Tesla Motors Product Issuing CA' });
    const eku = ['1.3.6.1.4.1.49279.2.5.1.1', '1.3.6.1.4.1.49279.2.4.2', EKU_CLIENT_AUTH];
    const leaf = new NodeX509(
      (await issueCertificate(ca, { commonNames: ['a', 'b'], organizationalUnits: ['u1', 'u2'], extKeyUsageOids: eku })).certPem,
    );
    expect(leaf.keyUsage).toEqual(eku);
    expect(leaf.subject).toBe('OU=u1\nOU=u2\nCN=a\nCN=b');
    expect(leaf.issuer).toBe('CN=Tesla Motors Product Issuing CA');
  });

  test('an empty EKU list omits the extension; a subject is required', async () => {
    const ca = await createCa({ commonName: 'CA' });
    expect(new NodeX509((await issueCertificate(ca, { commonName: 'x', extKeyUsageOids: [] })).certPem).keyUsage).toBeUndefined();
    await expect(issueCertificate(ca, {})).rejects.toThrow(/subject/);
  });

  test('an intermediate CA can issue', async () => {
    const root = await createCa({ commonName: 'Root' });
    const intermediate = await issueCertificate(root, { commonName: 'Tesla Motors GF3 Product Issuing CA', isCa: true });
    const leaf = new NodeX509((await issueCertificate(intermediate, { commonName: 'x' })).certPem);
    const inter = new NodeX509(intermediate.certPem);
    expect(inter.ca).toBe(true);
    expect(leaf.checkIssued(inter) && leaf.verify(inter.publicKey)).toBe(true);
  });
});
