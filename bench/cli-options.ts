/** `npm run bench -- …` arguments → BenchOptions (every default is here, and recorded per run). */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { SINK_VARIANTS } from './scenarios/sink-variants';
import { FLOOD_NAMES } from './scenarios/floods';
import { COMPARE_OPTION_NAMES, TARGET_OPTION_NAMES } from './scenarios/bench-options';
import type { BenchOptions, ServerOptionNames, TargetOptions } from './scenarios/bench-options';

export const USAGE = `usage: npm run bench -- --scenario <throughput|latency|idle|storm|sinks|ceiling|all|floods|faults> [options]

  --duration S          seconds measured per point (default 20; a 3 s warm-up precedes each)
  --warmup S            warm-up seconds before each measured point (default 3)
  --slice S             servers compared in one run take turns in slices of S seconds (default 5)
  --vehicles K          concurrent vehicles for throughput, latency, sinks, ceiling (default 100)
  --window W            unanswered frames per vehicle in throughput runs (default 8; the gateway sheds above 256)
  --generators G        load generator processes (default 2)
  --workers N           gateway and ceiling worker processes (default: CPUs)
  --dispatch-threads M  gateway dispatch lanes per worker (default 1)
  --certificates C      distinct client certificates, reused round-robin (default 200; cached in .cache/bench-pki;
                        the first C of --certs and --compare-certs)
  --datums MIN-MAX      datums per V record (default 20-60)
  --rates R1,R2,…       latency: offered records/s (default: 10,25,50,75,90,100 % of the measured saturation)
  --idle-counts N1,N2,… idle: connection counts (default 1000,5000,10000)
  --sinks L1,L2,…       sinks: only these configurations, by label (e.g. logger,null,"kafka reliable"; default all)
  --storm-vehicles N    storm: vehicles (default 10000)
  --scenario floods     (not in all) ACK latency during floods; --rates R: its rate, --storm-vehicles: attempts per wave
  --floods F1,F2,…      floods: only these floods, by name (unread, unread-flat, pings, pings-flat, silent,
                        slowloris, connections; default all)
  --faults F1,F2,…      faults (not in all): only these rows (kafka-kill,kafka-stop,worker-kill,lane-throws,drain,logger-full,pubsub-stop,pubsub-worker-kill; default all)
  --no-baseline         do not also run the ceiling for comparison
  --profile             run the gateway with --cpu-prof and print its top functions
  --server-log FILE     server stderr to FILE instead of /dev/null (the logger sink writes a line per record!)
  --target HOST:PORT    measure another server speaking the protocol instead of our gateway
  --ca FILE             with --target: CA of its server certificate
  --certs DIR           with --target: client certificates, <VIN>.pem + <VIN>.key (or DIR/vehicles/)
  --server-pid PID      with --target: its root process, to read its CPU and RSS from /proc
  --compare HOST:PORT   also measure this server (any that speaks the protocol) beside ours, interleaved
                        with it, in throughput, latency, idle and storm (not sinks, ceiling)
  --compare-ca FILE     with --compare: CA of its server certificate
  --compare-certs DIR   with --compare: client certificates it accepts, <VIN>.pem + <VIN>.key (or DIR/vehicles/)
  --compare-pid PID     with --compare: its root process, to read its CPU and RSS from /proc
  --seed N              seed of the generated records (default 1)
  --png                 also render each plot as PNG (needs rsvg-convert or ImageMagick)`;

function int(value: string | undefined, name: string, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, got ${value}`);
  return n;
}

function list(value: string | undefined, name: string, fallback: number[]): number[] {
  if (value === undefined) return fallback;
  const items = value.split(',').map((v) => Number(v.trim()));
  if (items.length === 0 || items.some((n) => !Number.isFinite(n) || n <= 0))
    throw new Error(`--${name} must be positive numbers separated by commas, got ${value}`);
  return items;
}

export function parseBenchArgs(argv: string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenario: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      slice: { type: 'string' },
      vehicles: { type: 'string' },
      window: { type: 'string' },
      generators: { type: 'string' },
      workers: { type: 'string' },
      'dispatch-threads': { type: 'string' },
      certificates: { type: 'string' },
      datums: { type: 'string' },
      rates: { type: 'string' },
      'idle-counts': { type: 'string' },
      sinks: { type: 'string' },
      floods: { type: 'string' },
      'storm-vehicles': { type: 'string' },
      faults: { type: 'string' },
      'no-baseline': { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      'server-log': { type: 'string' },
      target: { type: 'string' },
      ca: { type: 'string' },
      certs: { type: 'string' },
      'server-pid': { type: 'string' },
      compare: { type: 'string' },
      'compare-ca': { type: 'string' },
      'compare-certs': { type: 'string' },
      'compare-pid': { type: 'string' },
      seed: { type: 'string' },
      png: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  if (values.scenario === undefined) throw new Error('--scenario is required');
  const datums = /^(\d+)-(\d+)$/.exec(values.datums ?? '20-60');
  if (datums === null || Number(datums[1]) < 1 || Number(datums[2]) < Number(datums[1]))
    throw new Error(`--datums must be MIN-MAX, got ${values.datums}`);
  const window = int(values.window, 'window', 8);
  if (window > 256) throw new Error('--window above 256 would make the gateway shed frames (max_inflight_frames_per_connection)');
  const target = serverOptions(values, TARGET_OPTION_NAMES);
  const compare = serverOptions(values, COMPARE_OPTION_NAMES);
  return {
    scenario: values.scenario,
    durationS: int(values.duration, 'duration', 20),
    warmupS: int(values.warmup, 'warmup', 3, 0),
    sliceS: int(values.slice, 'slice', 5),
    vehicles: int(values.vehicles, 'vehicles', 100),
    window,
    generators: int(values.generators, 'generators', 2),
    workers: int(values.workers, 'workers', availableParallelism()),
    dispatchThreads: int(values['dispatch-threads'], 'dispatch-threads', 1),
    certificates: int(values.certificates, 'certificates', 200),
    framesPerVehicle: 16,
    minDatums: Number(datums[1]),
    maxDatums: Number(datums[2]),
    rates: list(values.rates, 'rates', []),
    idleCounts: list(values['idle-counts'], 'idle-counts', [1000, 5000, 10000]).sort((a, b) => a - b),
    stormVehicles: int(values['storm-vehicles'], 'storm-vehicles', 10_000),
    sinks: sinkLabels(values.sinks),
    floods: floodNames(values.floods),
    faults: values.faults?.split(',').map((f) => f.trim()) ?? [],
    baseline: !values['no-baseline'],
    profile: values.profile,
    serverLog: values['server-log'],
    target,
    compare,
    seed: int(values.seed, 'seed', 1),
    png: values.png,
  };
}

/** `--target`/`--compare` HOST:PORT with the CA, certificates and pid that go with it. */
function serverOptions(values: Record<string, string | boolean | undefined>, n: ServerOptionNames): TargetOptions | undefined {
  const get = (name: string) => values[name] as string | undefined;
  const address = get(n.server);
  if (address === undefined) {
    const stray = [n.ca, n.certs, n.pid].find((name) => get(name) !== undefined);
    if (stray !== undefined) throw new Error(`--${stray} goes with --${n.server} HOST:PORT, which is missing`);
    return undefined;
  }
  const m = /^(.+):(\d+)$/.exec(address);
  const port = m === null ? NaN : Number(m[2]);
  if (m === null || port < 1 || port > 65535) throw new Error(`--${n.server} must be HOST:PORT, got ${address}`);
  const ca = get(n.ca);
  const certs = get(n.certs);
  if (ca === undefined || certs === undefined) throw new Error(`--${n.server} needs --${n.ca} FILE and --${n.certs} DIR`);
  const pid = get(n.pid);
  return {
    // [::1]:4443 → ::1
    host: m[1].replace(/^\[(.*)\]$/, '$1'),
    port,
    caFile: ca,
    certsDir: certs,
    pid: pid === undefined ? undefined : int(pid, n.pid, 0),
  };
}

/** `--sinks`: labels of the sinks scenario's configurations; each must exist. */
function sinkLabels(value: string | undefined): string[] {
  if (value === undefined) return [];
  const labels = value.split(',').map((l) => l.trim());
  const known = SINK_VARIANTS.map((v) => v.label);
  const unknown = labels.filter((l) => !known.includes(l));
  if (unknown.length > 0)
    throw new Error(`--sinks: unknown configuration ${unknown.map((l) => JSON.stringify(l)).join(', ')} (known: ${known.join(', ')})`);
  return labels;
}

/** `--floods`: names of the floods scenario's floods; each must exist. */
function floodNames(value: string | undefined): string[] {
  if (value === undefined) return [];
  const names = value.split(',').map((n) => n.trim());
  const unknown = names.filter((n) => !FLOOD_NAMES.includes(n));
  if (unknown.length > 0) throw new Error(`--floods: unknown flood ${unknown.join(', ')} (known: ${FLOOD_NAMES.join(', ')})`);
  return names;
}
