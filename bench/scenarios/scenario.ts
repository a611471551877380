/** The shape every scenario returns: raw results for the JSON file, tables to print, plots, goals. */
import type { Table } from '../report/table';
import type { BenchPki } from '../load/client-identities';
import type { BenchOptions } from './bench-options';

export interface GoalCheck {
  goal: string;
  measured: string;
  /** null: not measurable in this run (e.g. no baseline, or an unknown server's memory). */
  met: boolean | null;
}

export interface Plot {
  /** File name suffix: `<scenario>-<time>-<suffix>.svg`. */
  suffix: string;
  svg: string;
}

export interface ScenarioOutput {
  results: Record<string, unknown>;
  tables: Table[];
  plots: Plot[];
  goals: GoalCheck[];
  notes: string[];
  /** Set when the run found what must not happen (faults: an ACKed record lost): `bench` exits non-zero. */
  failure?: string;
}

export type Scenario = (o: BenchOptions, pki: BenchPki) => Promise<ScenarioOutput>;
