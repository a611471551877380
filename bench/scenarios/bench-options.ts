/** What a bench run was asked to do: parsed from the command line, recorded in every result file. */
export interface TargetOptions {
  host: string;
  port: number;
  caFile: string;
  certsDir: string;
  /** Its root process, if local: CPU and RSS are then read from /proc as for our gateway. */
  pid?: number;
}

/** The options naming another server, as error messages quote them. */
export interface ServerOptionNames {
  server: string;
  ca: string;
  certs: string;
  pid: string;
}

export const TARGET_OPTION_NAMES: ServerOptionNames = { server: 'target', ca: 'ca', certs: 'certs', pid: 'server-pid' };
export const COMPARE_OPTION_NAMES: ServerOptionNames = { server: 'compare', ca: 'compare-ca', certs: 'compare-certs', pid: 'compare-pid' };

export interface BenchOptions {
  scenario: string;
  /** Seconds measured per point (after the warm-up). */
  durationS: number;
  warmupS: number;
  /** Comparisons alternate between servers in slices of this many seconds (the machine is shared). */
  sliceS: number;
  /** Concurrent vehicles for throughput, latency and sinks. */
  vehicles: number;
  /** Unanswered frames per vehicle in throughput runs (the gateway sheds above its own bound, 256). */
  window: number;
  generators: number;
  /** Gateway and ceiling worker processes. */
  workers: number;
  dispatchThreads: number;
  /** Distinct client certificates (connections share them round-robin). */
  certificates: number;
  framesPerVehicle: number;
  minDatums: number;
  maxDatums: number;
  /** Latency: offered rates; empty = fractions of the measured saturation. */
  rates: number[];
  /** Idle: connection counts, ascending. */
  idleCounts: number[];
  stormVehicles: number;
  /** Sinks: the configurations to measure, by label; empty = all. */
  sinks: string[];
  /** Floods: the floods to run, by name; empty = all. */
  floods: string[];
  /** Faults: the rows to run, by name; empty = all. */
  faults: string[];
  /** Also run the load against the ceiling and report fractions of it. */
  baseline: boolean;
  /** Run the gateway with --cpu-prof and summarise the profiles. */
  profile: boolean;
  serverLog?: string;
  /** Measured instead of our gateway. */
  target?: TargetOptions;
  /** Measured beside the server under test, interleaved with it, in throughput, latency, idle and storm. */
  compare?: TargetOptions;
  seed: number;
  /** Render PNG copies of the plots when ImageMagick's `convert` is present. */
  png: boolean;
}

/** A bad option value found before any load (its message names the option): printed without a stack. */
export class OptionError extends Error {}
