/**
 * Floods: a steady open-loop load of normal vehicles (the latency scenario's machinery) at a
 * moderate rate (`--rates R`, else a quarter of the measured saturation), for each flood in turn
 * first alone (its baseline, measured just before: the machine is shared and its noise drifts),
 * then during the flood (floods-client.ts, in processes of their own). Reported: the other
 * vehicles' p50/p99 ACK latency and its ratio to the baseline (goal ≤ 2×), the server's CPU, and
 * what the gateway counted meanwhile (its Prometheus counters, read before and after).
 */
import { performance } from 'node:perf_hooks';
import { freePort } from '../../shared/free-port';
import { note, progress } from '../report/progress';
import { num } from '../report/table';
import { startSubject } from '../server/subjects';
import { treeUsage } from '../server/proc-stats';
import { metricsText } from '../server/metrics-text';
import type { BenchOptions } from './bench-options';
import type { Scenario } from './scenario';
import { closeRig, connect, openRig } from './rig';
import type { Rig } from './rig';
import { measure } from './load-phase';
import type { LoadMeasurement } from './load-phase';
import type { FloodKind, FloodReport } from './floods-client';
import { FloodProcesses, endedBeforeSession } from './floods-processes';

/** Unanswered frames a vehicle may have before a due frame is skipped (as latency.ts). */
const RATE_WINDOW = 64;
/** Offered rate without --rates: this fraction of the measured saturation. */
const RATE_FRACTION = 0.25;
/** uWS closes an unfinished handshake after about 32 s: silent and slowloris floods run past it. */
const HANDSHAKE_DEADLINE_FLOOD_S = 40;

interface FloodSpec {
  /** The row's name, for `--floods`. */
  name: string;
  kind: FloodKind;
  what: (o: BenchOptions) => string;
  connections: (o: BenchOptions) => number;
  processes: number;
  /** unread, pings: frames per second per connection (0: flat out). */
  perSecond?: number;
  txidLength?: number;
}

const FLOODS: readonly FloodSpec[] = [
  {
    name: 'unread',
    kind: 'unread',
    what: () => '4 vehicles each sending 250 frames/s with 4 KB txids (4 KB ACKs) and never reading, reconnecting when closed',
    connections: () => 4,
    processes: 1,
    perSecond: 250,
    txidLength: 4000,
  },
  {
    name: 'unread-flat',
    kind: 'unread',
    what: () => '10 vehicles sending frames with 4 KB txids as fast as their sockets take them and never reading, reconnecting when closed',
    connections: () => 10,
    processes: 1,
    perSecond: 0,
    txidLength: 4000,
  },
  {
    name: 'pings',
    kind: 'pings',
    what: () => '10 vehicles each sending 10,000 pings/s and nothing else',
    connections: () => 10,
    processes: 1,
    perSecond: 10_000,
  },
  {
    name: 'pings-flat',
    kind: 'pings',
    what: () => '10 vehicles sending pings as fast as their sockets take them, reconnecting when closed',
    connections: () => 10,
    processes: 1,
    perSecond: 0,
  },
  {
    name: 'silent',
    kind: 'silent',
    what: () => '1,000 TCP connections that never start TLS (each replaced when closed)',
    connections: () => 1000,
    processes: 1,
  },
  {
    name: 'slowloris',
    kind: 'slowloris',
    what: () => '1,000 TLS connections sending the upgrade request a byte a second (replaced when closed)',
    connections: () => 1000,
    processes: 1,
  },
  {
    name: 'connections',
    kind: 'connections',
    what: (o) => `waves of ${num(o.stormVehicles)} connection attempts at once (TLS + upgrade, dropped at the 101)`,
    connections: (o) => o.stormVehicles,
    processes: 4,
  },
];

/** `--floods`: the rows, in the order they run. */
export const FLOOD_NAMES: readonly string[] = FLOODS.map((f) => f.name);

/** The gateway's counters that a flood may move. */
const COUNTERS: readonly [name: string, label: string][] = [
  ['socket_err_total', 'socket_err'],
  ['gateway_unfinished_handshakes_total', 'unfinished handshakes'],
  ['gateway_unanswered_frames_total', 'unanswered frames'],
  ['unexpected_record_err_total', 'ERROR replies'],
  ['gateway_flooding_closed_total', 'flooding closed'],
  ['gateway_flooder_sessions_refused_total', 'flooder sessions refused'],
];

/** Each counter of COUNTERS summed over its series; undefined without a metrics port (--target). */
async function counters(port: number | undefined): Promise<Map<string, number> | undefined> {
  if (port === undefined) return undefined;
  const text = await metricsText(port);
  const totals = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(?:\{[^}]*\})? (\S+)$/.exec(line);
    if (m !== null) totals.set(m[1], (totals.get(m[1]) ?? 0) + Number(m[2]));
  }
  return totals;
}

function counted(before: Map<string, number> | undefined, after: Map<string, number> | undefined): string {
  if (before === undefined || after === undefined) return '– (no metrics)';
  const moved = COUNTERS.map(([name, label]) => [label, (after.get(name) ?? 0) - (before.get(name) ?? 0)] as const).filter(
    ([, n]) => n > 0,
  );
  return moved.length === 0 ? 'nothing' : moved.map(([label, n]) => `${label} +${num(n)}`).join(', ');
}

function seen(kind: FloodKind, r: FloodReport): string {
  const ended = endedBeforeSession(r);
  const how = Object.entries(r.endedBeforeSession)
    .map(([k, n]) => `${k} ${num(n)}`)
    .join(', ');
  switch (kind) {
    case 'unread':
      return `${num(r.sessions)} sessions, ${num(r.sessionsEndedByServer)} ended by the gateway, ${num(r.bytesSent / 2 ** 20)} MiB sent`;
    case 'pings':
      return `${num(r.pingsSent)} pings, ${num(r.pongs)} pongs`;
    case 'connections':
      return `${num(r.attempts - r.unsettled)} attempts: ${num(r.sessions)} sessions, ${num(ended)} closed before one${how === '' ? '' : ` (${how})`}`;
    default:
      return `${num(r.attempts)} connections, ${num(ended)} closed by the gateway${how === '' ? '' : ` (${how})`}, ${num(r.sessions)} upgraded`;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits (bounded) until the gateway holds only the measured vehicles again. */
async function settled(port: number | undefined, vehicles: number): Promise<void> {
  if (port === undefined) return;
  const deadline = performance.now() + 60_000;
  while (performance.now() < deadline) {
    const open = (await counters(port))?.get('num_connections');
    if (open === vehicles) return;
    progress(`[floods] waiting for the flood's connections to close: ${open} open`);
    await sleep(500);
  }
  note(`[floods] the gateway still holds more than the ${vehicles} measured vehicles after 60 s`);
}

interface FloodRun {
  name: string;
  kind: FloodKind;
  what: string;
  baseline: LoadMeasurement;
  measurement: LoadMeasurement;
  report: FloodReport;
  counted: string;
  floodCores: number;
}

async function runFlood(o: BenchOptions, rig: Rig, spec: FloodSpec, rate: number, metricsPort: number | undefined): Promise<FloodRun> {
  const { subject } = rig;
  const mode = { kind: 'rate', perSecond: rate, window: RATE_WINDOW } as const;
  const baseline = await measure(rig, mode, `baseline before ${spec.name}`, o.warmupS, o.durationS);
  const identity = subject.identities[subject.identities.length - 1];
  const before = await counters(metricsPort);
  const t0 = performance.now();
  note(`[floods] ${spec.name}: ${spec.what(o)}`);
  const flood = await FloodProcesses.start(
    {
      kind: spec.kind,
      host: subject.host,
      port: subject.port,
      caFile: subject.caFile,
      certFile: identity.certFile,
      keyFile: identity.keyFile,
      vin: identity.vin,
      connections: spec.connections(o),
      repeat: true,
      perSecond: spec.perSecond ?? 0,
      txidLength: spec.txidLength ?? 0,
    },
    spec.processes,
  );
  let report: FloodReport;
  let measurement: LoadMeasurement;
  let after: Map<string, number> | undefined;
  let floodCores: number;
  try {
    const cpu0 = treeUsage(flood.pids()).cpuSeconds;
    measurement = await measure(rig, mode, `during ${spec.name}`, o.warmupS, o.durationS);
    if (spec.kind === 'silent' || spec.kind === 'slowloris') {
      // Let the first connections reach the gateway's handshake deadline, so it has closed some.
      while ((performance.now() - t0) / 1000 < HANDSHAKE_DEADLINE_FLOOD_S) {
        progress(`[floods] ${spec.kind}: running to ${HANDSHAKE_DEADLINE_FLOOD_S} s for the handshake deadline`);
        await sleep(1000);
      }
    }
    floodCores = (treeUsage(flood.pids()).cpuSeconds - cpu0) / ((performance.now() - t0) / 1000);
    // Before this client drops its connections (the gateway would count those as unfinished too);
    // a wave of connection attempts is not dropped: it is counted once it has ended.
    if (spec.kind !== 'connections') after = await counters(metricsPort);
  } finally {
    report = await flood.stop(60_000);
  }
  if (spec.kind === 'connections') after = await counters(metricsPort);
  await settled(metricsPort, rig.vehicles);
  return {
    name: spec.name,
    kind: spec.kind,
    what: spec.what(o),
    baseline,
    measurement,
    report,
    counted: counted(before, after),
    floodCores,
  };
}

export const floods: Scenario = async (o, pki) => {
  const selected = FLOODS.filter((f) => o.floods.length === 0 || o.floods.includes(f.name));
  const metricsPort = o.target === undefined ? await freePort() : undefined;
  const subject = await startSubject(o, pki, {
    label: 'gateway',
    config: metricsPort === undefined ? {} : { monitoring: { prometheus_metrics_port: metricsPort } },
  });
  const runs: FloodRun[] = [];
  let saturation: LoadMeasurement | undefined;
  let rate: number;
  try {
    const rig = await openRig(o, subject, { vehicles: o.vehicles });
    try {
      await connect(rig, o.vehicles);
      if (o.rates.length > 0) rate = o.rates[0];
      else {
        saturation = await measure(rig, { kind: 'window', window: o.window }, 'saturation', o.warmupS, Math.min(o.durationS, 10));
        rate = Math.max(1, Math.round(RATE_FRACTION * saturation.ackedPerSecond));
      }
      for (const spec of selected) runs.push(await runFlood(o, rig, spec, rate, metricsPort));
    } finally {
      await closeRig(rig);
    }
  } finally {
    await subject.stop();
  }
  const ratio = (r: FloodRun) => r.measurement.latencyMs.p99 / r.baseline.latencyMs.p99;
  const over = runs.filter((r) => ratio(r) > 2);
  return {
    results: { rate, saturation, runs, rateWindow: RATE_WINDOW },
    tables: [
      {
        title: `floods: ${num(o.vehicles)} vehicles at ${num(rate)} rec/s (open loop), p99 ACK latency against a baseline measured just before`,
        header: [
          'flood',
          'ACKed/s / sent/s',
          'p50 ms (baseline)',
          'p99 ms (baseline)',
          'p99 ÷ baseline',
          'server cores (baseline)',
          'flood cores',
          'others cores',
          'gateway counted',
          'the flood saw',
        ],
        rows: runs.map((r) => {
          const m = r.measurement;
          const b = r.baseline;
          return [
            r.name,
            `${num(m.ackedPerSecond)} / ${num(m.sentPerSecond)}`,
            `${num(m.latencyMs.p50, 2)} (${num(b.latencyMs.p50, 2)})`,
            `${num(m.latencyMs.p99, 2)} (${num(b.latencyMs.p99, 2)})`,
            `${num(ratio(r), 2)} ×`,
            m.server.measured ? `${num(m.server.cores, 2)} (${num(b.server.cores, 2)})` : '–',
            num(r.floodCores, 2),
            num(m.others.cores, 2),
            r.counted,
            seen(r.kind, r.report),
          ];
        }),
      },
    ],
    plots: [],
    goals: [
      {
        goal: "other vehicles' p99 ACK latency within 2× of the baseline during each flood",
        measured: over.length === 0 ? 'every flood ≤ 2×' : `over 2×: ${over.map((r) => `${r.name} ${num(ratio(r), 2)} ×`).join(', ')}`,
        met: runs.every((r) => Number.isFinite(ratio(r))) ? over.length === 0 : null,
      },
    ],
    notes: selected.map((f) => `${f.name}: ${f.what(o)}`),
  };
};
