import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkVinAllowlist, parseVinAllowlist } from './vin-allowlist';
import { ConfigError } from './errors';

it('reads one VIN per line, with comments and blank lines', () => {
  const text = '# fleet A\n5YJ3E1EA7KF100001\n\n  5YJ3E1EA7KF100002  # test car\r\n#5YJ3E1EA7KF100003\nLRW3E7EK4NC100004';
  expect([...parseVinAllowlist(text)]).toEqual(['5YJ3E1EA7KF100001', '5YJ3E1EA7KF100002', 'LRW3E7EK4NC100004']);
  expect(parseVinAllowlist('').size).toBe(0);
});

it('refuses a line that is not one VIN, naming it', () => {
  expect(() => parseVinAllowlist('5YJ3E1EA7KF100001\n5YJ3E1EA7KF100002 5YJ3E1EA7KF100003\n')).toThrow(
    'line 2: "5YJ3E1EA7KF100002 5YJ3E1EA7KF100003" is not one VIN',
  );
  expect(() => parseVinAllowlist('VÏN\n')).toThrow('line 1');
});

it('fails startup naming the key when the file is missing or bad', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vin-allowlist-'));
  const bad = join(dir, 'bad.txt');
  writeFileSync(bad, 'a b\n');
  for (const path of [bad, join(dir, 'missing.txt')]) {
    let error: unknown;
    try {
      checkVinAllowlist(path);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).key).toBe('vin_allowlist');
    expect((error as ConfigError).message).toMatch(/^config key "vin_allowlist": /);
  }
  expect(() => checkVinAllowlist('')).not.toThrow();
});
