/**
 * Redis names of PROTOCOL.md §10.6. The VIN sits in braces, a cluster hash tag: a vehicle's
 * subscriber set and channels hash to one slot, so they live on one cluster node.
 */
import { topicName } from '../../../shared/record';

/** `<namespace>_<record type>_{<VIN>}`, e.g. `tesla_telemetry_V_{5YJ3…}`. */
export function vinChannel(namespace: string, recordType: string, vin: string): string {
  return `${topicName(namespace, recordType)}_{${vin}}`;
}

/** `<prefix>_<vinChannel>`: the sorted set of subscriber channels (score = lease expiry, epoch seconds). */
export function subscriberSetKey(prefix: string, namespace: string, recordType: string, vin: string): string {
  return `${prefix}_${vinChannel(namespace, recordType, vin)}`;
}

/** `ZREMRANGEBYSCORE key -inf (<now>`: removes leases that expired strictly before now. */
export function expiredLeaseBound(nowMs: number): string {
  return `(${Math.floor(nowMs / 1000)}`;
}

/** `host:port` (IPv6 as `[::1]:6379`) → host and port. */
export function parseAddr(addr: string): { host: string; port: number } {
  const colon = addr.lastIndexOf(':');
  if (colon < 0) return { host: addr, port: 6379 };
  const host = addr.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(addr.slice(colon + 1)) };
}

/** §10.6 `override_tls_server_name`: the host of `addrs[0]` (URL-parsed when it has a scheme). */
export function tlsServerName(addr: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(addr)) {
    try {
      return new URL(addr).hostname.replace(/^\[(.*)\]$/, '$1');
    } catch {
      return addr;
    }
  }
  return addr.includes(':') ? parseAddr(addr).host : addr;
}
