/** The scenarios by name, in the order `--scenario all` runs them. */
import type { Scenario } from './scenario';
import { ceiling, throughput } from './throughput';
import { latency } from './latency';
import { idle } from './idle';
import { storm } from './storm';
import { sinks } from './sinks';
import { floods } from './floods';

export const SCENARIOS: ReadonlyMap<string, Scenario> = new Map([
  ['throughput', throughput],
  ['latency', latency],
  ['idle', idle],
  ['storm', storm],
  ['sinks', sinks],
  ['ceiling', ceiling],
  ['floods', floods],
]);

/** Run only when named, never by `--scenario all`. */
export const ON_DEMAND: ReadonlySet<string> = new Set(['floods']);
