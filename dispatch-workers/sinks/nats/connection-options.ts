/**
 * The `nats` block → nats.js connection options: servers, one way to authenticate, TLS, and
 * reconnecting forever (a record published while disconnected is bounded by the sink, not here).
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'nats';
import { credsAuthenticator, nkeyAuthenticator } from 'nats';
import type { NatsBlock } from './config-block';

/** Why more than one way to authenticate is configured, or undefined. */
export function conflictingAuth(block: NatsBlock): string | undefined {
  const ways = [
    block.user !== '' || block.password !== '' ? 'nats.user/nats.password' : '',
    block.token !== '' ? 'nats.token' : '',
    block.nkey_seed_file !== '' ? 'nats.nkey_seed_file' : '',
    block.creds_file !== '' ? 'nats.creds_file' : '',
  ].filter((w) => w !== '');
  return ways.length > 1 ? `choose one way to authenticate, not ${ways.join(' and ')}` : undefined;
}

/** The server URLs of `url`: a list, or comma-separated in one string; blanks dropped. */
export function serverList(url: string | readonly string[]): string[] {
  return (typeof url === 'string' ? [url] : url)
    .flatMap((u) => u.split(','))
    .map((u) => u.trim())
    .filter((u) => u !== '');
}

export function connectionOptions(block: NatsBlock, name: string, read: (path: string) => Buffer = readFileSync): ConnectionOptions {
  const options: ConnectionOptions = {
    servers: serverList(block.url),
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: block.reconnect_wait_ms,
    waitOnFirstConnect: false,
  };
  if (block.user !== '' || block.password !== '') Object.assign(options, { user: block.user, pass: block.password });
  if (block.token !== '') options.token = block.token;
  if (block.nkey_seed_file !== '')
    options.authenticator = nkeyAuthenticator(new TextEncoder().encode(read(block.nkey_seed_file).toString('utf8').trim()));
  if (block.creds_file !== '') options.authenticator = credsAuthenticator(new Uint8Array(read(block.creds_file)));
  const { tls } = block;
  if (tls.enabled || tls.ca_file !== '' || tls.cert_file !== '' || tls.key_file !== '') {
    options.tls = {};
    if (tls.ca_file !== '') options.tls.caFile = tls.ca_file;
    if (tls.cert_file !== '') options.tls.certFile = tls.cert_file;
    if (tls.key_file !== '') options.tls.keyFile = tls.key_file;
  }
  return options;
}
