import { upgradeFailure } from './upgrade-checks';

function request(method: string, headers: Record<string, string>) {
  return { getCaseSensitiveMethod: () => method, getHeader: (name: string) => headers[name] ?? '' };
}

const valid = {
  connection: 'keep-alive, Upgrade',
  upgrade: 'websocket',
  'sec-websocket-version': '13',
  'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
};

describe('upgradeFailure (PROTOCOL.md §2.3)', () => {
  it('accepts a valid upgrade, with case-insensitive tokens', () => {
    expect(upgradeFailure(request('GET', valid))).toBeUndefined();
    expect(upgradeFailure(request('GET', { ...valid, connection: 'UPGRADE', upgrade: 'WebSocket' }))).toBeUndefined();
  });

  it.each([
    ['no Connection upgrade token', 'GET', { ...valid, connection: 'keep-alive' }, '400 Bad Request'],
    ['no Upgrade websocket token', 'GET', { ...valid, upgrade: 'h2c' }, '400 Bad Request'],
    ['a method other than GET', 'POST', valid, '405 Method Not Allowed'],
    ['a version other than 13', 'GET', { ...valid, 'sec-websocket-version': '8' }, '400 Bad Request'],
    ['a key that is not 16 bytes of base64', 'GET', { ...valid, 'sec-websocket-key': 'c2hvcnQ=' }, '400 Bad Request'],
  ])('refuses %s', (_name, method, headers, status) => {
    expect(upgradeFailure(request(method, headers))?.status).toBe(status);
  });

  it('checks the headers before the method, as upstream does', () => {
    expect(upgradeFailure(request('POST', { ...valid, upgrade: '' }))?.status).toBe('400 Bad Request');
  });
});
