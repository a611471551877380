import { parseBenchArgs } from './cli-options';

describe('--sinks', () => {
  test('selects sink configurations by label', () => {
    const o = parseBenchArgs(['--scenario', 'sinks', '--sinks', 'logger,null,kafka reliable']);
    expect(o !== 'help' && o.sinks).toEqual(['logger', 'null', 'kafka reliable']);
  });

  test('absent means every configuration', () => {
    const o = parseBenchArgs(['--scenario', 'sinks']);
    expect(o !== 'help' && o.sinks).toEqual([]);
  });

  test('an unknown label is an error naming it and the known ones', () => {
    expect(() => parseBenchArgs(['--scenario', 'sinks', '--sinks', 'logger,kafak'])).toThrow(
      /unknown configuration "kafak" \(known: logger, null, /,
    );
  });
});
