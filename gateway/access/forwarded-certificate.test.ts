import { X509Certificate } from 'node:crypto';
import { createCa, issueCertificate } from '../../shared/pki';
import type { PemKeyPair } from '../../shared/pki';
import { ForwardedCertificates } from './forwarded-certificate';
import type { ForwardedRequest, ForwardedResult } from './forwarded-certificate';

const VIN = '5YJ3E1EA7KF100001';
let root: PemKeyPair;
let intermediate: PemKeyPair;
let leaf: PemKeyPair;
let stranger: PemKeyPair;

beforeAll(async () => {
  root = await createCa({ commonName: 'Fleet Root' });
  intermediate = await issueCertificate(root, { commonName: 'TeslaMotors', isCa: true });
  leaf = await issueCertificate(intermediate, { commonName: VIN });
  stranger = await issueCertificate(await createCa({ commonName: 'Fleet Root' }), { commonName: 'TeslaMotors', isCa: true });
});

const sf = (pem: string) => `:${new X509Certificate(pem).raw.toString('base64')}:`;

function gateway(header: 'client-cert' | 'x-amzn-mtls-clientcert', sourceCidrs: string[] = []) {
  return new ForwardedCertificates({ header, caPem: root.certPem, sourceCidrs });
}

function request(headers: Record<string, string>, overrides: Partial<ForwardedRequest> = {}): ForwardedRequest {
  return { proxyListener: true, remoteAddress: '127.0.0.1', directCertificate: '', header: (name) => headers[name] ?? '', ...overrides };
}

const reason = (result: ForwardedResult) => (result.kind === 'refused' ? result.reason : result.kind);

it('RFC 9440: a leaf with its chain, verified against the CA file, gives the identity of a direct certificate', () => {
  const result = gateway('client-cert').check(request({ 'client-cert': sf(leaf.certPem), 'client-cert-chain': sf(intermediate.certPem) }));
  expect(result).toEqual({
    kind: 'forwarded',
    identity: { ok: true, clientType: 'vehicle_device', deviceId: VIN, senderId: `vehicle_device.${VIN}` },
  });
});

it('AWS ALB passthrough: the URL-encoded PEM chain, leaf first', () => {
  const value = encodeURIComponent(leaf.certPem + intermediate.certPem);
  const result = gateway('x-amzn-mtls-clientcert').check(request({ 'x-amzn-mtls-clientcert': value }));
  expect(result.kind === 'forwarded' && result.identity.ok && result.identity.deviceId).toBe(VIN);
});

it('never takes the proxy at its word: a chain that does not reach the CA file is refused', () => {
  const g = gateway('client-cert');
  expect(reason(g.check(request({ 'client-cert': sf(leaf.certPem) })))).toBe('unverified'); // intermediate missing
  expect(reason(g.check(request({ 'client-cert': sf(leaf.certPem), 'client-cert-chain': sf(stranger.certPem) })))).toBe('unverified');
  // A CA certificate is public: it is no client certificate.
  expect(reason(g.check(request({ 'client-cert': sf(intermediate.certPem), 'client-cert-chain': sf(intermediate.certPem) })))).toBe(
    'unverified',
  );
  const later = new Date(Date.now() + 10 * 365 * 86_400_000);
  const chain = { 'client-cert': sf(leaf.certPem), 'client-cert-chain': sf(intermediate.certPem) };
  expect(reason(g.check(request(chain), later))).toBe('unverified');
});

it('refuses unreadable headers and a missing one on the proxy listener', () => {
  const g = gateway('client-cert');
  expect(reason(g.check(request({ 'client-cert': 'MIIB...' })))).toBe('malformed');
  expect(reason(g.check(request({ 'client-cert': `${sf(leaf.certPem)}, ${sf(leaf.certPem)}` })))).toBe('malformed');
  expect(reason(g.check(request({})))).toBe('missing');
  // Only the configured header counts: the other one may come from the client through the proxy.
  expect(reason(g.check(request({ 'x-amzn-mtls-clientcert': encodeURIComponent(leaf.certPem + intermediate.certPem) })))).toBe('missing');
});

it('main listener: forwarded only from listed sources, never with a direct certificate', () => {
  const chain = { 'client-cert': sf(leaf.certPem), 'client-cert-chain': sf(intermediate.certPem) };
  const main = (headers: Record<string, string>, remoteAddress: string, directCertificate = '') =>
    request(headers, { proxyListener: false, remoteAddress, directCertificate });
  const g = gateway('client-cert', ['10.0.0.0/8', 'fd00::/8']);
  expect(reason(g.check(main({}, '192.0.2.1')))).toBe('direct');
  expect(reason(g.check(main(chain, '10.1.2.3')))).toBe('forwarded');
  expect(reason(g.check(main(chain, '::ffff:10.1.2.3')))).toBe('forwarded');
  expect(reason(g.check(main(chain, 'fd00::5')))).toBe('forwarded');
  expect(reason(g.check(main(chain, '192.0.2.1')))).toBe('untrusted_source');
  expect(reason(g.check(main({ 'x-amzn-mtls-clientcert': 'x' }, '192.0.2.1')))).toBe('untrusted_source');
  expect(reason(g.check(main(chain, '10.1.2.3', leaf.certPem)))).toBe('direct_and_forwarded');
  // Without source_cidrs, only the proxy listener takes forwarded certificates.
  expect(reason(gateway('client-cert').check(main(chain, '10.1.2.3')))).toBe('untrusted_source');
});

it('proxy listener with source_cidrs: other addresses are refused', () => {
  const chain = { 'client-cert': sf(leaf.certPem), 'client-cert-chain': sf(intermediate.certPem) };
  const g = gateway('client-cert', ['127.0.0.1']);
  expect(reason(g.check(request(chain)))).toBe('forwarded');
  expect(reason(g.check(request(chain, { remoteAddress: '127.0.0.2' })))).toBe('untrusted_source');
});
