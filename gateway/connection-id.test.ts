import { connectionIdFromHeader, parseUuid } from './connection-id';

const CANONICAL = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('connectionIdFromHeader (§2.5)', () => {
  test.each([
    ['canonical', CANONICAL],
    ['upper case', CANONICAL.toUpperCase()],
    ['mixed case', '6Ba7B810-9dAd-11D1-80b4-00C04fd430C8'],
    ['urn prefix', `urn:uuid:${CANONICAL}`],
    ['URN prefix in any case', `URN:Uuid:${CANONICAL.toUpperCase()}`],
    ['braces', `{${CANONICAL}}`],
    ['38 chars, braces never checked', `x${CANONICAL}y`],
    ['32 hex digits', CANONICAL.replaceAll('-', '')],
    ['32 upper hex digits', CANONICAL.replaceAll('-', '').toUpperCase()],
  ])('%s ⇒ lowercase canonical', (_name, header) => {
    expect(connectionIdFromHeader(header)).toBe(CANONICAL);
  });

  test('version and variant bits are not checked', () => {
    expect(parseUuid('00000000-0000-0000-0000-000000000000')).toBe('00000000-0000-0000-0000-000000000000');
    expect(parseUuid('ffffffff-ffff-ffff-ffff-ffffffffffff')).toBe('ffffffff-ffff-ffff-ffff-ffffffffffff');
  });

  test.each([
    ['absent', undefined],
    ['empty', ''],
    ['not a uuid', 'integration-test-txid'],
    ['35 chars', CANONICAL.slice(1)],
    ['37 chars', `${CANONICAL}0`],
    ['hyphen moved', '6ba7b8109-dad-11d1-80b4-00c04fd430c8'],
    ['non-hex digit', CANONICAL.replace('c8', 'g8')],
    ['hex with a hyphen in the 32-char form', `${CANONICAL.replaceAll('-', '').slice(0, 31)}-`],
    ['wrong prefix', `urn:uid::${CANONICAL}`],
    ['sign characters', '+ba7b810-9dad-11d1-80b4-00c04fd430c8'],
    // Go counts bytes: a 2-byte first character makes the braced form 39 bytes long.
    ['non-ASCII brace', `é${CANONICAL}}`],
    ['non-ASCII digit', CANONICAL.replace('6', '٦')],
  ])('%s ⇒ a fresh random v4 UUID', (_name, header) => {
    const first = connectionIdFromHeader(header);
    expect(first).toMatch(V4);
    expect(connectionIdFromHeader(header)).not.toBe(first);
  });
});
