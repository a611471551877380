/** Replays every case under test/fuzz/corpus/ (seeds, and whatever `npm run fuzz` ever saved). */
import { join } from 'node:path';
import { InProcessGateway } from './in-process-gateway';
import { check, readCorpus } from './run-fuzz';

const corpus = readCorpus(join(__dirname, 'corpus'));
let gateways: InProcessGateway[];
beforeAll(async () => {
  gateways = [await InProcessGateway.create(false), await InProcessGateway.create(true)];
});
afterAll(async () => {
  await Promise.all(gateways.map((g) => g.close()));
});

it('has cases to replay', () => {
  expect(corpus.length).toBeGreaterThan(0);
});

it.each(corpus.map((c) => [c.name, c.frames] as const))('%s keeps every invariant', async (_name, frames) => {
  for (const gateway of gateways) expect(await check(gateway, [...frames])).toEqual([]);
});
