/** The scenarios by name, in the order `--scenario all` runs them (except ONLY_BY_NAME). */
import type { Scenario } from './scenario';
import { ceiling, throughput } from './throughput';
import { latency } from './latency';
import { idle } from './idle';
import { storm } from './storm';
import { sinks } from './sinks';
import { floods } from './floods';
import { faults } from './faults';

export const SCENARIOS: ReadonlyMap<string, Scenario> = new Map([
  ['throughput', throughput],
  ['latency', latency],
  ['idle', idle],
  ['storm', storm],
  ['sinks', sinks],
  ['ceiling', ceiling],
  ['floods', floods],
  ['faults', faults],
]);

/** Run only when named: `all` is the performance set. */
export const ONLY_BY_NAME: ReadonlySet<string> = new Set(['floods', 'faults']);
