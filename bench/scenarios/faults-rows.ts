/**
 * The rows of the fault matrix: which sink the records go to (with reliable acks) and the fault
 * injected part-way through the load. `inject` returns when the fault's action is over (the broker
 * restarted, resumed, the gateway restarted…); the load keeps running throughout.
 */
import { execFile } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmdirSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../shared/package-root';
import { pauseService, resumeService } from '../server/service-pause';

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
  /** A place for the gateway's stderr (the logger sink's output) instead of /dev/null, set up for the row. */
  serverLog?: () => ScratchLog;
  /** The fault comes by itself (a disk filling up): resolves when it has. */
  faultCame?: () => Promise<void>;
  /** At most this many vehicles (whatever --vehicles says). */
  maxVehicles?: number;
  /** The logger sink gets the records too (besides the reliable sink). */
  withLogger?: boolean;
  inject(ctx: FaultContext): Promise<void>;
}

export interface ScratchLog {
  /** The file the gateway's stderr goes to. */
  setUp(): string;
  tearDown(): void;
}

export const STOP_SECONDS = 10;
/**
 * pstest hands out a subscription's backlog the slower the longer it is (measured: 700 messages/s
 * with a few thousand waiting, under 100/s with 80,000): the Pub/Sub rows keep the load small
 * enough for the reader to keep up.
 */
const PUBSUB_VEHICLES = 10;
const FULL_DISK_MB = 16;
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

/**
 * A small disk that fills up mid-row: a tmpfs mounted for the row (needs root). /dev/full itself
 * cannot be used: the gateway's first log line fails there, before it listens (Node ends a process
 * whose stderr write fails).
 */
const fullDiskLog = new (class implements ScratchLog {
  private dir = '';

  setUp(): string {
    this.dir = mkdtempSync(join(tmpdir(), 'ft-faults-disk-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${FULL_DISK_MB}m`, 'tmpfs', this.dir], { stdio: 'pipe' });
    } catch (error) {
      rmdirSync(this.dir);
      throw new Error(`logger-full mounts a ${FULL_DISK_MB} MB tmpfs and could not (root is needed): ${String(error)}`);
    }
    return join(this.dir, 'gateway.log');
  }

  /** Resolves once less than 64 KB are left (bounded: 5 minutes). */
  async full(): Promise<void> {
    const deadline = Date.now() + 300_000;
    for (;;) {
      const s = statfsSync(this.dir);
      if (s.bavail * s.bsize < 64 * 1024) return;
      if (Date.now() > deadline) throw new Error('the logger-full disk did not fill within 5 minutes');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  tearDown(): void {
    execFileSync('umount', [this.dir], { stdio: 'pipe' });
    rmdirSync(this.dir);
  }
})();

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
    means: `for ${LANE_FAULT_SECONDS} s, one new frame in 100 makes the dispatch lane that runs its batch throw (test-only hook GATEWAY_TEST_FAULT); the batch gets no replies, its frames are resent`,
    gatewayEnv: { GATEWAY_TEST_FAULT: 'lane-throws-on:LANE-FAULT' },
    inject: async (ctx) => ctx.markFrames(LANE_FAULT_SECONDS * 1000, 100),
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
    means: `records go to Kafka (reliable) and to the logger sink, whose output (the gateway's stderr) is a file on a ${FULL_DISK_MB} MB tmpfs: the fault is the moment that disk is full`,
    serverLog: () => fullDiskLog,
    withLogger: true,
    faultCame: () => fullDiskLog.full(),
    inject: async () => undefined,
  },
  {
    name: 'pubsub-stop',
    sink: 'pubsub',
    maxVehicles: PUBSUB_VEHICLES,
    means: `the Pub/Sub emulator (pstest) is SIGSTOPped for ${STOP_SECONDS} s, then SIGCONT`,
    inject: () => stopFor('pubsub'),
  },
  {
    name: 'pubsub-worker-kill',
    sink: 'pubsub',
    maxVehicles: PUBSUB_VEHICLES,
    means: 'records to Pub/Sub (reliable); one cluster worker is SIGKILLed',
    inject: killWorker,
  },
];
