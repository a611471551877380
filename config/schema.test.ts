import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listEnvVariables } from './env';
import { parseGoType } from './go-types';
import { baseSchema } from './schema';
import { forEachLeaf, type SchemaGroup } from './schema-tree';

const leaves: Array<{ key: string; leaf: Readonly<Record<string, unknown>> }> = [];
forEachLeaf(baseSchema as SchemaGroup, (path, leaf) => leaves.push({ key: path.join('.'), leaf }));

describe('baseSchema', () => {
  test('covers §12.2 and our gateway block', () => {
    const keys = leaves.map((l) => l.key);
    for (const key of [
      'host',
      'port',
      'tls.ca_file',
      'rate_limit.MessageIntervalTimeSecond',
      'monitoring.statsd.flush_period',
      'airbrake.project_id',
      'gateway.max_inflight_frames_per_connection',
    ]) {
      expect(keys).toContain(key);
    }
    for (const sinkKey of ['kafka', 'kinesis', 'pubsub', 'zmq', 'mqtt', 'redis', 'logger'])
      expect(keys.some((k) => k.split('.')[0] === sinkKey)).toBe(false);
  });

  test.each(leaves.map((l) => [l.key, l.leaf] as const))('%s has a doc, a format and a valid goType', (_key, leaf) => {
    expect(typeof leaf.doc).toBe('string');
    expect(leaf.format).toBeDefined();
    expect(() => parseGoType(leaf.goType as string)).not.toThrow();
  });

  test('README documents every key and every variable', () => {
    const readme = readFileSync(join(__dirname, 'README.md'), 'utf8');
    for (const { key } of leaves) expect(readme).toContain(`| \`${key}\` |`);
    for (const { variable } of listEnvVariables(baseSchema as SchemaGroup)) expect(readme).toContain(variable);
  });
});
