/**
 * The real WebhookPoster: an undici Pool to the receiver's origin (keep-alive connections, at most
 * `max_concurrent_requests`), each request bounded by `timeout_ms` from start to the end of the
 * response. Errors and timeouts come back as values for the retry policy.
 */
import { Pool } from 'undici';
import type { HttpBlock } from './config-block';
import type { PostResult } from './retry-policy';
import type { WebhookPoster } from './http-sink';

export class WebhookClient implements WebhookPoster {
  private readonly pool: Pool;
  private readonly path: string;

  constructor(
    url: URL,
    private readonly block: HttpBlock,
  ) {
    this.pool = new Pool(url.origin, {
      connections: block.max_concurrent_requests,
      headersTimeout: block.timeout_ms,
      bodyTimeout: block.timeout_ms,
      connectTimeout: block.timeout_ms,
    });
    this.path = url.pathname + url.search;
  }

  async post(body: Buffer, headers: Readonly<Record<string, string>>): Promise<PostResult> {
    try {
      const response = await this.pool.request({
        path: this.path,
        method: 'POST',
        headers: { ...lowerCased(this.block.headers), ...headers },
        body,
        signal: AbortSignal.timeout(this.block.timeout_ms),
      });
      // The body is read (and dropped) so the connection can be reused.
      await response.body.dump();
      const retryAfter = response.headers['retry-after'];
      return { status: response.statusCode, retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter };
    } catch (error) {
      const e = error as Error & { code?: string };
      const timedOut = e.name === 'TimeoutError' || e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT';
      return { error: timedOut ? `timeout after ${this.block.timeout_ms} ms` : `${e.code ?? e.name}: ${e.message}` };
    }
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}

function lowerCased(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
}
