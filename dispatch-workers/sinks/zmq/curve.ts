/**
 * CURVE security of the PUB socket (PROTOCOL.md §10.4): the server's secret key from a JSON file,
 * and a ZAP handler (ZeroMQ RFC 27) for domain `*` that admits the allowed public keys (`*`: any)
 * and denies every other client, also when there is no allow-list.
 */
import { readFileSync } from 'node:fs';
import { Router } from 'zeromq';

export const ZAP_ENDPOINT = 'inproc://zeromq.zap.01';
export const ZAP_DOMAIN = '*';
const Z85_KEY = /^[0-9a-zA-Z.\-:+=^!/*?&<>()[\]{}@%$#]{40}$/;

/** `{"secret": …}` of the key file; a missing or malformed key names the key and the file. */
export function readServerSecret(path: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`config key "zmq.server_key_json_path": cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  const secret = (parsed as { secret?: unknown } | null)?.secret;
  if (typeof secret !== 'string' || !Z85_KEY.test(secret))
    throw new Error(`config key "zmq.server_key_json_path": ${path} has no "secret" of 40 Z85 characters`);
  return secret;
}

/** The allow-list: Z85 public keys, or `*` for any. */
export function readAllowedKeys(path: string): ReadonlySet<string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`config key "zmq.allowed_public_keys_json_path": cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  if (!Array.isArray(parsed) || !parsed.every((k) => typeof k === 'string' && (k === '*' || Z85_KEY.test(k))))
    throw new Error(`config key "zmq.allowed_public_keys_json_path": ${path} must be a JSON array of 40-character Z85 keys or "*"`);
  return new Set(parsed as string[]);
}

/** Z85 encoding (ZeroMQ RFC 32) of a 32-byte CURVE key, as the allow-list spells it. */
const Z85_CHARS = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#';
export function z85(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 4) {
    let value = ((bytes[i] << 24) | (bytes[i + 1] << 16) | (bytes[i + 2] << 8) | bytes[i + 3]) >>> 0;
    const chunk: string[] = [];
    for (let j = 0; j < 5; j++) {
      chunk.unshift(Z85_CHARS[value % 85]);
      value = Math.floor(value / 85);
    }
    out += chunk.join('');
  }
  return out;
}

/** Answers ZAP requests until closed. */
export class ZapHandler {
  private readonly socket = new Router();

  private constructor(private readonly allowed: ReadonlySet<string>) {}

  static async start(allowed: ReadonlySet<string>): Promise<ZapHandler> {
    const handler = new ZapHandler(allowed);
    await handler.socket.bind(ZAP_ENDPOINT);
    void handler.serve();
    return handler;
  }

  /** Request frames: [peer, "", version, request id, domain, address, identity, mechanism, credentials…]. */
  private async serve(): Promise<void> {
    try {
      for await (const [peer, , version, requestId, domain, , , mechanism, key] of this.socket) {
        const admitted =
          version.toString() === '1.0' &&
          domain.toString() === ZAP_DOMAIN &&
          mechanism.toString() === 'CURVE' &&
          key !== undefined &&
          (this.allowed.has('*') || this.allowed.has(z85(key)));
        await this.socket.send([peer, '', '1.0', requestId, admitted ? '200' : '400', admitted ? 'OK' : 'not allowed', '', '']);
      }
    } catch {
      // Closed.
    }
  }

  close(): void {
    this.socket.close();
  }
}
