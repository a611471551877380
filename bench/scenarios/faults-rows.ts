/**
 * The rows of the fault matrix: which sink the records go to (with reliable acks) and the fault
 * injected part-way through the load. `inject` returns when the fault's action is over (the broker
 * restarted, resumed, the gateway restarted…); the load keeps running throughout.
 */
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../shared/package-root';
import { pauseService, resumeService } from '../../test/harness/service-pause';

export type FaultSink = 'kafka' | 'pubsub';

export interface FaultContext {
  /** The gateway's primary process. */
  primaryPid(): number;
  /** SIGTERM (the gateway drains and exits), then a new gateway the vehicles reconnect to. */
  restartGateway(): Promise<void>;
  /** Every `every`-th new frame for `ms` carries the lane fault's mark. */
  markFrames(ms: number, every: number): void;
}

export interface FaultRow {
  name: string;
  sink: FaultSink;
  /** What the row does, for the README and the result file. */
  means: string;
  /** Variables for the gateway (the test-only fault hook). */
  gatewayEnv?: Record<string, string>;
  /** The gateway's stderr (the logger sink's output) goes here instead of /dev/null. */
  serverLog?: string;
  /** The logger sink gets the records too (besides the reliable sink). */
  withLogger?: boolean;
  inject(ctx: FaultContext): Promise<void>;
}

export const STOP_SECONDS = 10;
const LANE_FAULT_SECONDS = 10;

function service(name: string, verb: string): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile(join(packageRoot(), 'test', 'services', name), [verb], { timeout: 300_000 }, (error, _stdout, stderr) =>
      error === null ? resolve() : reject(new Error(`test/services/${name} ${verb}: ${stderr.trim().split('\n').slice(-3).join(' / ')}`)),
    ),
  );
}

/** The cluster workers: the primary's child processes. */
export function childPids(parent: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 4 of /proc/PID/stat is the parent; the command (field 2) may hold spaces, so read after its ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

async function killWorker(ctx: FaultContext): Promise<void> {
  const workers = childPids(ctx.primaryPid());
  if (workers.length === 0) throw new Error('the gateway has no worker process to kill');
  process.kill(workers[0], 'SIGKILL');
}

async function stopFor(name: string): Promise<void> {
  pauseService(name);
  await new Promise((r) => setTimeout(r, STOP_SECONDS * 1000));
  resumeService(name);
}

export const FAULT_ROWS: FaultRow[] = [
  {
    name: 'kafka-kill',
    sink: 'kafka',
    means: 'the Kafka broker is SIGKILLed (`test/services/kafka kill`) and started again on its data',
    inject: async () => {
      await service('kafka', 'kill');
      await service('kafka', 'start');
    },
  },
  {
    name: 'kafka-stop',
    sink: 'kafka',
    means: `the Kafka broker is SIGSTOPped for ${STOP_SECONDS} s, then SIGCONT (a hung broker: its connections stay open)`,
    inject: async () => {
      await service('kafka', 'pause');
      await new Promise((r) => setTimeout(r, STOP_SECONDS * 1000));
      await service('kafka', 'resume');
    },
  },
  {
    name: 'worker-kill',
    sink: 'kafka',
    means: 'one cluster worker is SIGKILLed; the primary starts a new one, its vehicles reconnect',
    inject: killWorker,
  },
  {
    name: 'lane-throws',
    sink: 'kafka',
    means: `for ${LANE_FAULT_SECONDS} s, one new frame in 10 makes the dispatch lane that runs its batch throw (test-only hook GATEWAY_TEST_FAULT); the batch gets no replies, its frames are resent`,
    gatewayEnv: { GATEWAY_TEST_FAULT: 'lane-throws-on:LANE-FAULT' },
    inject: async (ctx) => ctx.markFrames(LANE_FAULT_SECONDS * 1000, 10),
  },
  {
    name: 'drain',
    sink: 'kafka',
    means: 'the gateway is SIGTERMed mid-load (it drains and exits), then a new gateway is started; the vehicles reconnect to it',
    inject: (ctx) => ctx.restartGateway(),
  },
  {
    name: 'logger-full',
    sink: 'kafka',
    means: "records go to Kafka (reliable) and to the logger sink, whose output (the gateway's stderr) is /dev/full for the whole row",
    serverLog: '/dev/full',
    withLogger: true,
    inject: async () => undefined,
  },
  {
    name: 'pubsub-stop',
    sink: 'pubsub',
    means: `the Pub/Sub emulator (pstest) is SIGSTOPped for ${STOP_SECONDS} s, then SIGCONT`,
    inject: () => stopFor('pubsub'),
  },
  {
    name: 'pubsub-worker-kill',
    sink: 'pubsub',
    means: 'records to Pub/Sub (reliable); one cluster worker is SIGKILLed',
    inject: killWorker,
  },
];
