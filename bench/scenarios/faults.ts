/**
 * Faults: zero acknowledged loss, measured under load. For each row (faults-rows.ts) a gateway
 * sends `V` records to Kafka or Pub/Sub with reliable acks while resending vehicles (faults-load.ts)
 * keep it busy; after `--warmup` the row's fault is injected, the load goes on for `--duration`,
 * then stops sending new frames and waits for the unanswered ones. An independent consumer then
 * reads the row's topic back (faults-readback.ts): every ACKed txid must be there. Not part of
 * `--scenario all` (a correctness run, not a performance one).
 */
import { readFileSync } from 'node:fs';
import { note, progress } from '../report/progress';
import { num } from '../report/table';
import { startGateway } from '../server/subjects';
import type { Subject } from '../server/subjects';
import { startService } from '../server/broker-service';
import type { RunningService } from '../server/broker-service';
import { OptionError } from './bench-options';
import type { BenchOptions } from './bench-options';
import type { BenchPki } from '../load/client-identities';
import type { Scenario, ScenarioOutput } from './scenario';
import { FaultLoad, RESEND_AFTER_MS, benchVehicles } from './faults-load';
import type { LoadCounts } from './faults-load';
import { FAULT_ROWS } from './faults-rows';
import type { FaultRow } from './faults-rows';
import { account, readKafka, readPubsub } from './faults-readback';
import type { Accounting, TxidCounter } from './faults-readback';

const PUBSUB_PROJECT = 'bench-project';
/** After the load stops sending new frames: how long the unanswered ones may take. */
const SETTLE_TIMEOUT_MS = 120_000;

export interface FaultRowResult extends Accounting {
  name: string;
  sink: string;
  means: string;
  vehicles: number;
  counts: LoadCounts;
  unansweredAtEnd: number;
  /** Seconds the fault's action took (broker restart, pause, gateway restart). */
  faultActionS: number;
  /** The longest time without any ACK, from the injection on. */
  longestGapS: number;
  /** From the end of the fault's action to the first ACK after it (null: none came). */
  firstAckS: number | null;
  /** … until every vehicle had an ACK of a frame it first sent after it (null: some never did). */
  allBackS: number | null;
  /** logger-full: ACKed txids without a complete `record_payload` line in the log (the logger never confirms; reported). */
  notLogged?: number;
  /** logger-full: whether the gateway was still running when the row ended. */
  gatewayAliveAtEnd: boolean;
  /** ACKs per second since the load started. */
  ackedPerSecond: number[];
  faultAtS: number;
}

export const faults: Scenario = async (o, pki) => {
  if (o.target !== undefined) throw new Error('the faults scenario configures our gateway; it cannot run against --target');
  const rows = selectRows(o.faults);
  const stamp = Date.now().toString(36);
  const namespaceOf = (row: FaultRow) => `faults_${stamp}_${row.name.replace(/-/g, '_')}`;
  const services = new Map<string, RunningService>();
  const results: FaultRowResult[] = [];
  try {
    const kafkaTopics = rows.filter((r) => r.sink === 'kafka').map((r) => `${namespaceOf(r)}_V`);
    if (kafkaTopics.length > 0) {
      note('[faults] starting test/services/kafka');
      services.set('kafka', await startService('kafka', { KAFKA_TOPICS: kafkaTopics.join(',') }));
    }
    if (rows.some((r) => r.sink === 'pubsub')) {
      note('[faults] starting test/services/pubsub');
      services.set('pubsub', await startService('pubsub'));
    }
    for (const row of rows) {
      const env = services.get(row.sink)?.env ?? {};
      results.push(await runRow(o, pki, row, namespaceOf(row), env));
      const r = results[results.length - 1];
      note(`[faults ${row.name}] acked ${r.acked}, found ${r.found}, lost ${r.lost}, duplicates ${r.duplicates}`);
    }
  } finally {
    for (const service of services.values()) await service.stop();
  }
  return output(o, results);
};

function selectRows(names: string[]): FaultRow[] {
  if (names.length === 0) return FAULT_ROWS;
  const unknown = names.filter((n) => !FAULT_ROWS.some((r) => r.name === n));
  if (unknown.length > 0)
    throw new OptionError(`--faults: unknown row ${unknown.join(', ')} (known: ${FAULT_ROWS.map((r) => r.name).join(', ')})`);
  return FAULT_ROWS.filter((r) => names.includes(r.name));
}

function gatewayConfig(o: BenchOptions, row: FaultRow, namespace: string, env: Record<string, string>): Record<string, unknown> {
  const block =
    row.sink === 'kafka' ? { 'bootstrap.servers': env.KAFKA_BROKERS, 'queue.buffering.max.ms': 5 } : { gcp_project_id: PUBSUB_PROJECT };
  return {
    namespace,
    records: { V: row.withLogger === true ? [row.sink, 'logger'] : [row.sink] },
    reliable_ack_sources: { V: row.sink },
    [row.sink]: block,
    gateway: { workers: o.workers, dispatch_threads: o.dispatchThreads, drain_timeout_ms: 5000 },
  };
}

async function runRow(
  o: BenchOptions,
  pki: BenchPki,
  row: FaultRow,
  namespace: string,
  env: Record<string, string>,
): Promise<FaultRowResult> {
  const topic = `${namespace}_V`;
  const prefix = `${namespace}-`;
  note(`[faults ${row.name}] ${row.means}`);
  // Pub/Sub delivers only to subscriptions that exist when a record is published: subscribe first.
  let reader: TxidCounter | undefined =
    row.sink === 'pubsub' ? await readPubsub(env.PUBSUB_EMULATOR_HOST, PUBSUB_PROJECT, topic, prefix) : undefined;
  const gatewayEnv = {
    ...row.gatewayEnv,
    ...(row.sink === 'pubsub' ? { PUBSUB_EMULATOR_HOST: env.PUBSUB_EMULATOR_HOST, METADATA_SERVER_DETECTION: 'none' } : {}),
  };
  const scratch = row.serverLog?.();
  const logFile = scratch?.setUp();
  const start = () =>
    startGateway({ ...o, serverLog: logFile ?? o.serverLog }, pki, {
      label: `gateway[${row.name}]`,
      config: gatewayConfig(o, row, namespace, env),
      env: gatewayEnv,
    });
  let gateway: Subject;
  try {
    gateway = await start();
  } catch (error) {
    scratch?.tearDown();
    await reader?.close();
    throw error;
  }
  const url = (s: Subject) => `wss://${s.host}:${s.port}/`;
  const vehicles = Math.min(o.vehicles, row.maxVehicles ?? o.vehicles);
  const load = new FaultLoad(benchVehicles(pki, vehicles), url(gateway), o.window, prefix, o.seed);
  const ticker = setInterval(() => {
    const c = load.counts;
    progress(
      `[faults ${row.name}] ${num(load.now() / 1000)} s: acked ${c.acked}, unanswered ${load.unanswered}, resent ${c.resent}, ` +
        `errors ${c.errors}, open ${load.open}/${vehicles}, connections ${c.connections} (${c.failedConnects} failed)`,
    );
  }, 1000);
  let faultActionS = 0;
  let faultAtS = Infinity;
  /** When the last frame was answered (or the settling gave up): the end of the measured part. */
  let loadEndedAt = 0;
  let unansweredAtEnd = 0;
  let gatewayAliveAtEnd = false;
  let notLogged: number | undefined;
  try {
    await waitFor(() => load.counts.acked > 0, 120_000, 'no ACK within 120 s of the start');
    await sleep(o.warmupS * 1000);
    await row.faultCame?.();
    note(`[faults ${row.name}] fault at ${num(load.now() / 1000)} s`);
    const t0 = load.now();
    faultAtS = t0 / 1000;
    await row.inject({
      primaryPid: () => gateway.pids()[0],
      markFrames: (ms, every) => load.markFrames(ms, every),
      restartGateway: async () => {
        await gateway.stop();
        gateway = await start();
        load.retarget(url(gateway));
      },
    });
    load.markFaultOver();
    faultActionS = (load.now() - t0) / 1000;
    note(`[faults ${row.name}] fault action over after ${num(faultActionS, 1)} s`);
    await sleep(o.durationS * 1000);
    load.stopNewFrames();
    note(`[faults ${row.name}] no new frames; waiting for ${load.unanswered} unanswered (resent every ${RESEND_AFTER_MS / 1000} s)`);
    await waitFor(() => load.unanswered === 0 || !alive(gateway), SETTLE_TIMEOUT_MS, '').catch(() => undefined);
    unansweredAtEnd = load.unanswered;
    loadEndedAt = load.now();
  } finally {
    clearInterval(ticker);
    gatewayAliveAtEnd = alive(gateway);
    await load.stop();
    await gateway.stop();
    if (logFile !== undefined) notLogged = countNotLogged(logFile, load.acked);
    scratch?.tearDown();
  }
  reader ??= await readKafka(env.KAFKA_BROKERS, topic, prefix);
  note(`[faults ${row.name}] reading ${topic} back`);
  const accounting = await account(reader, load.acked, (text) => progress(`[faults ${row.name}] ${text}`)).finally(() => reader?.close());
  return {
    name: row.name,
    sink: row.sink,
    means: row.means,
    vehicles,
    ...accounting,
    counts: { ...load.counts },
    unansweredAtEnd,
    faultActionS,
    notLogged,
    gatewayAliveAtEnd,
    ...recovery(load, faultAtS * 1000, loadEndedAt),
    ackedPerSecond: perSecond(load.ackTimes),
    faultAtS,
  };
}

function alive(gateway: Subject): boolean {
  try {
    process.kill(gateway.pids()[0], 0);
    return true;
  } catch {
    return false;
  }
}

/** ACKed txids that have no complete `record_payload` line in the gateway's log. */
function countNotLogged(logFile: string, acked: ReadonlySet<string>): number {
  const logged = new Set<string>();
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    if (!line.includes('"msg":"record_payload"')) continue;
    try {
      const txid = (JSON.parse(line) as { metadata?: { txid?: string } }).metadata?.txid;
      if (txid !== undefined) logged.add(txid);
    } catch {
      // the line cut short when the disk filled
    }
  }
  let missing = 0;
  for (const t of acked) if (!logged.has(t)) missing++;
  return missing;
}

function recovery(
  load: FaultLoad,
  faultAt: number,
  endedAt: number,
): { longestGapS: number; firstAckS: number | null; allBackS: number | null } {
  const over = load.faultOverAt;
  const times = load.recoveredAt.map((t) => (t === undefined ? undefined : (t - over) / 1000));
  const firstAck = load.ackTimes.find((t) => t >= over);
  let gap = 0;
  let previous = faultAt;
  for (const t of load.ackTimes) {
    if (t < faultAt) continue;
    gap = Math.max(gap, t - previous);
    previous = t;
  }
  return {
    // Until the load ended: after it no ACK is due, except where the gateway stalled or died.
    longestGapS: Math.max(gap, endedAt - previous) / 1000,
    firstAckS: firstAck === undefined ? null : (firstAck - over) / 1000,
    allBackS: times.some((t) => t === undefined) ? null : Math.max(...(times as number[])),
  };
}

function perSecond(times: number[]): number[] {
  const counts: number[] = [];
  for (const t of times) {
    const s = Math.floor(t / 1000);
    while (counts.length <= s) counts.push(0);
    counts[s]++;
  }
  return counts;
}

function output(o: BenchOptions, rows: FaultRowResult[]): ScenarioOutput {
  const lossy = rows.filter((r) => r.lost > 0);
  const seconds = (s: number | null) => (s === null ? 'never' : num(s, 1));
  return {
    results: { rows, resendAfterMs: RESEND_AFTER_MS },
    tables: [
      {
        title: `faults: resending vehicles × ${o.window} unanswered frames, reliable acks, ${o.warmupS} s before the fault, ${o.durationS} s after`,
        header: [
          'fault',
          'sink',
          'vehicles',
          'acked',
          'found',
          'lost',
          'duplicates',
          'resent',
          'unanswered at end',
          'fault action s',
          'longest ACK gap s',
          'first ACK after s',
          'all back s',
        ],
        rows: rows.map((r) => [
          r.name,
          r.sink,
          String(r.vehicles),
          String(r.acked),
          String(r.found),
          String(r.lost),
          String(r.duplicates),
          String(r.counts.resent),
          String(r.unansweredAtEnd),
          num(r.faultActionS, 1),
          num(r.longestGapS, 1),
          seconds(r.firstAckS),
          seconds(r.allBackS),
        ]),
      },
    ],
    plots: [],
    goals: [
      {
        goal: 'every ACKed txid is in the sink (lost = 0 in every row)',
        measured: rows.map((r) => `${r.name} ${r.lost}`).join(', '),
        met: lossy.length === 0,
      },
    ],
    notes: [
      ...lossy.map((r) => `${r.name}: lost ${r.lost}, e.g. ${r.lostSample.join(' ')}`),
      ...rows
        .filter((r) => r.notLogged !== undefined)
        .map(
          (r) =>
            `${r.name}: ${r.notLogged} ACKed records have no log line; the gateway was ${r.gatewayAliveAtEnd ? 'still running' : 'gone'} at the end`,
        ),
    ],
    failure: lossy.length === 0 ? undefined : `acknowledged records lost in ${lossy.map((r) => r.name).join(', ')}`,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function waitFor(condition: () => boolean, timeoutMs: number, message: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(message);
    await sleep(100);
  }
}
