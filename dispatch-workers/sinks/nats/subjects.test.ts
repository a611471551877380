import { Subjects, badPrefix, badToken } from './subjects';

describe('NATS subjects', () => {
  it('builds <prefix>.<record type>.<VIN>, with a dotted prefix', () => {
    expect(new Subjects('tesla').of('V', '5YJ3E1EA1KF000001')).toEqual({ subject: 'tesla.V.5YJ3E1EA1KF000001' });
    expect(new Subjects('fleet.eu').of('alerts', 'X')).toEqual({ subject: 'fleet.eu.alerts.X' });
  });

  it.each([
    ['', 'is empty'],
    ['a.b', 'contains "."'],
    ['a b', 'contains whitespace'],
    ['a\tb', 'contains whitespace'],
    ['a*', 'contains a wildcard (* or >)'],
    ['>', 'contains a wildcard (* or >)'],
  ])('refuses the token %j (%s)', (token, why) => {
    expect(badToken(token)).toBe(why);
    expect(new Subjects('p').of('V', token)).toEqual({ error: `VIN ${JSON.stringify(token)} ${why}` });
  });

  it('checks every token of a prefix', () => {
    expect(badPrefix('fleet.eu')).toBeUndefined();
    expect(badPrefix('fleet..eu')).toBe('token "" is empty');
    expect(badPrefix('fleet.*')).toBe('token "*" contains a wildcard (* or >)');
    expect(badPrefix('')).toBeUndefined();
    expect(new Subjects('').of('V', 'X')).toEqual({ subject: 'V.X' });
  });

  it('refuses a record type that cannot be a token', () => {
    expect(new Subjects('p').of('a b', 'VIN')).toEqual({ error: 'record type "a b" contains whitespace' });
  });
});
