/** Startup checks of the `trusted_proxy` block (gateway/access/forwarded-certificate.ts). */
import { BlockList, isIP } from 'node:net';
import { ConfigError } from './errors';
import type { TrustedProxyProperties } from './schema';

/** `trusted_proxy.header` values (any case) → the header name as uWS reads it (lower case). */
export const FORWARDED_HEADERS = { rfc9440: 'client-cert', alb: 'x-amzn-mtls-clientcert' } as const;

/** `10.0.0.0/8`, `fd00::/8` or a single address; throws naming the entry. */
export function sourceList(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address, prefix, extra] = cidr.split('/');
    const family = isIP(address);
    const max = family === 4 ? 32 : 128;
    const bits = prefix === undefined ? max : /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
    if (family === 0 || extra !== undefined || !(bits >= 0 && bits <= max))
      throw new Error(`${JSON.stringify(cidr)} is not an address or CIDR block`);
    list.addSubnet(address, bits, family === 4 ? 'ipv4' : 'ipv6');
  }
  return list;
}

/** The block's settings, or undefined when trusted-proxy mTLS is off (`header` empty). */
export function checkTrustedProxy(proxy: TrustedProxyProperties, mainPort: number): TrustedProxyProperties | undefined {
  const fail = (key: string, message: string): never => {
    throw new ConfigError('CONFIG_TRUSTED_PROXY', `config key "trusted_proxy.${key}": ${message}`, `trusted_proxy.${key}`);
  };
  try {
    sourceList(proxy.source_cidrs);
  } catch (e) {
    fail('source_cidrs', e instanceof Error ? e.message : String(e));
  }
  const header = proxy.header.toLowerCase();
  if (header === '') {
    if (proxy.port > 0 || proxy.source_cidrs.length > 0)
      fail('header', 'name the header your proxy sets (Client-Cert or X-Amzn-Mtls-Clientcert)');
    return undefined;
  }
  if (header !== FORWARDED_HEADERS.rfc9440 && header !== FORWARDED_HEADERS.alb)
    fail('header', `${JSON.stringify(proxy.header)}: expected Client-Cert (RFC 9440) or X-Amzn-Mtls-Clientcert (AWS ALB)`);
  if (proxy.port === 0 && proxy.source_cidrs.length === 0)
    fail('port', 'set a proxy listener port or trusted_proxy.source_cidrs: forwarded certificates are accepted from nowhere else');
  if (proxy.port > 0 && proxy.port === mainPort) fail('port', 'must differ from port');
  return { ...proxy, header };
}
