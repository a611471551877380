import { sortedJsonText } from './log';
import { metadataJson, recordMetadata } from './record';

describe('metadataJson', () => {
  test('is the sorted JSON of every metadata key, escapes included', () => {
    const m = recordMetadata('VIN"1', 1700000000123, 'tx\\id\u2028', 'V', 'client\n1.0');
    expect(metadataJson(m)).toBe(sortedJsonText(m));
    expect(Object.keys(JSON.parse(metadataJson(m)) as object)).toHaveLength(7);
  });
});
