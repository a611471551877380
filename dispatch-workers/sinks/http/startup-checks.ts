/** Checks of the `http` block config/ cannot make: each failure is a ConfigError naming the key. */
import { ConfigError } from '../../../config';
import type { HttpBlock } from './config-block';

const invalid = (key: string, message: string) => new ConfigError('CONFIG_INVALID_VALUE', `config key "${key}": ${message}`, key);

/** The receiver URL, checked. */
export function checkHttpBlock(block: HttpBlock): URL {
  let url: URL;
  try {
    url = new URL(block.url);
  } catch {
    throw invalid('http.url', `${JSON.stringify(block.url)} is not a URL (http://host[:port]/path or https://…)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid('http.url', `must be http:// or https://, got ${url.protocol}`);
  for (const [name, value] of Object.entries(block.headers))
    if (typeof value !== 'string') throw invalid(`http.headers.${name}`, 'must be a string');
  if (block.max_records < 1) throw invalid('http.max_records', 'must be at least 1');
  if (block.max_concurrent_requests < 1) throw invalid('http.max_concurrent_requests', 'must be at least 1');
  if (block.hmac_secret !== '' && block.signature_header.trim() === '')
    throw invalid('http.signature_header', 'required when http.hmac_secret is set');
  return url;
}
