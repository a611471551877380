import { checkTrustedProxy } from './trusted-proxy';
import { ConfigError } from './errors';

const off = { header: '', port: 0, host: '127.0.0.1', source_cidrs: [] };

function error(f: () => unknown): ConfigError {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigError) return e;
  }
  throw new Error('no ConfigError');
}

it('is off by default and lower-cases the header', () => {
  expect(checkTrustedProxy(off, 443)).toBeUndefined();
  expect(checkTrustedProxy({ ...off, header: 'Client-Cert', port: 8443 }, 443)?.header).toBe('client-cert');
  expect(checkTrustedProxy({ ...off, header: 'X-Amzn-Mtls-Clientcert', source_cidrs: ['10.0.0.0/8'] }, 443)?.header).toBe(
    'x-amzn-mtls-clientcert',
  );
});

it('names the key at fault', () => {
  expect(error(() => checkTrustedProxy({ ...off, port: 8443 }, 443)).key).toBe('trusted_proxy.header');
  expect(error(() => checkTrustedProxy({ ...off, header: 'X-Client-Cert', port: 8443 }, 443)).key).toBe('trusted_proxy.header');
  expect(error(() => checkTrustedProxy({ ...off, header: 'Client-Cert' }, 443)).key).toBe('trusted_proxy.port');
  expect(error(() => checkTrustedProxy({ ...off, header: 'Client-Cert', port: 443 }, 443)).key).toBe('trusted_proxy.port');
  for (const cidr of ['10.0.0.0/33', 'example.com', '10.0.0.0/', '10.0.0.0/8/1', '::1/129']) {
    const e = error(() => checkTrustedProxy({ ...off, header: 'Client-Cert', source_cidrs: [cidr] }, 443));
    expect([e.key, e.message]).toEqual(['trusted_proxy.source_cidrs', expect.stringContaining(JSON.stringify(cidr))]);
  }
});
