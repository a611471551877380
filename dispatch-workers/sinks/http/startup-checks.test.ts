import { HTTP_CONFIG_BLOCK } from './config-block';
import type { HttpBlock } from './config-block';
import { checkHttpBlock } from './startup-checks';

const defaults = Object.fromEntries(
  Object.entries(HTTP_CONFIG_BLOCK.schema as Record<string, { default: unknown }>).map(([k, v]) => [k, v.default]),
) as unknown as HttpBlock;
const block = (over: Partial<HttpBlock>): HttpBlock => ({ ...defaults, url: 'http://127.0.0.1:8080/hook', ...over });

describe('http block checks', () => {
  it('accepts an http(s) URL', () => {
    expect(checkHttpBlock(block({})).pathname).toBe('/hook');
    expect(checkHttpBlock(block({ url: 'https://h.example/x?y=1' })).search).toBe('?y=1');
  });

  it.each([
    [{ url: '' }, 'http.url'],
    [{ url: 'ftp://h/x' }, 'http.url'],
    [{ headers: { 'X-N': 1 as unknown as string } }, 'http.headers.X-N'],
    [{ max_records: 0 }, 'http.max_records'],
    [{ max_concurrent_requests: 0 }, 'http.max_concurrent_requests'],
    [{ hmac_secret: 's', signature_header: ' ' }, 'http.signature_header'],
  ])('refuses %j naming %s', (over, key) => {
    expect(() => checkHttpBlock(block(over))).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID_VALUE', key }));
  });
});
