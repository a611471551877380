/**
 * A load generator process (forked by generator-pool.ts): opens its share of the vehicle
 * connections and drives them as the controller says, answering each command with one message.
 * It exits when the controller goes away, so an interrupted run leaves nothing behind.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createSecureContext } from 'node:tls';
import type { SecureContext } from 'node:tls';
import { buildFramePool } from './frame-pool';
import type { FramePool } from './frame-pool';
import { LoadCounters, VehicleLoad } from './vehicle-load';
import type { WssTarget } from './wss-connection';
import { LatencyHistogram } from '../report/histogram';
import type {
  ConnectReport,
  ControllerEnvelope,
  ControllerMessage,
  GeneratorEnvelope,
  GeneratorMessage,
  GeneratorPlan,
  LoadMode,
  LoadStats,
  StormReport,
} from './generator-protocol';
import { RateScheduler } from './rate-scheduler';

/**
 * A vehicle abandons a reconnect attempt after this long and tries again (after the retry delay).
 * Long on purpose: with thousands of handshakes in progress at once, every one of them is slow,
 * and abandoning them only repeats the work (measured: 10 s turned a 26 s storm into timeouts).
 */
const STORM_ATTEMPT_TIMEOUT_MS = 30_000;

class Generator {
  private readonly counters = new LoadCounters();
  private readonly vehicles: VehicleLoad[] = [];
  private readonly target: WssTarget;
  private scheduler: RateScheduler | undefined;

  constructor(private readonly plan: GeneratorPlan) {
    this.target = { host: plan.host, port: plan.port, servername: plan.servername, path: '/' };
    const ca = readFileSync(plan.caFile);
    const contexts: SecureContext[] = [];
    const pools: FramePool[] = [];
    for (const [i, id] of plan.identities.entries()) {
      contexts.push(createSecureContext({ ca, cert: readFileSync(id.certFile), key: readFileSync(id.keyFile) }));
      pools.push(
        buildFramePool({
          vin: id.vin,
          count: plan.framesPerIdentity,
          minDatums: plan.minDatums,
          maxDatums: plan.maxDatums,
          seed: plan.seed * 7919 + plan.index * 104729 + i,
        }),
      );
    }
    for (const identity of plan.connectionIdentities) {
      this.vehicles.push(new VehicleLoad(pools[identity], contexts[identity], this.counters, 1));
    }
  }

  get frameCount(): number {
    return this.plan.identities.length * this.plan.framesPerIdentity;
  }

  /** Opens connections until `upTo` are open, `connectConcurrency` handshakes at a time. */
  async connect(upTo: number): Promise<ConnectReport> {
    const started = performance.now();
    const handshake = new LatencyHistogram();
    const errors: Record<string, number> = {};
    let failed = 0;
    const todo = this.vehicles.slice(0, Math.min(upTo, this.vehicles.length)).filter((v) => !v.isOpen);
    let next = 0;
    const worker = async () => {
      while (next < todo.length) {
        const vehicle = todo[next++];
        const t0 = performance.now();
        try {
          await vehicle.connect(this.target, this.plan.handshakeTimeoutMs);
          handshake.record((performance.now() - t0) * 1000);
        } catch (error) {
          failed++;
          count(errors, error);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.plan.connectConcurrency, todo.length) }, worker));
    return { open: this.openCount(), failed, durationMs: performance.now() - started, handshake: handshake.snapshot(), errors };
  }

  load(mode: LoadMode): void {
    this.stopSending();
    const now = performance.now();
    if (mode.kind === 'window') {
      for (const v of this.vehicles) {
        v.setWindow(mode.window, true);
        if (v.isOpen) v.fill(now);
      }
      return;
    }
    for (const v of this.vehicles) v.setWindow(mode.window, false);
    const open = this.vehicles.filter((v) => v.isOpen);
    this.scheduler = new RateScheduler(open, mode.perSecond, mode.window, this.counters);
    this.scheduler.start();
  }

  /** Stops sending and waits until no reply is due (or the timeout). */
  async quiesce(timeoutMs: number): Promise<void> {
    this.stopSending();
    const deadline = performance.now() + timeoutMs;
    // Per connection, not from the counters: those restart at each reset, replies to earlier frames do not.
    const due = () => this.vehicles.some((v) => v.isOpen && v.unanswered > 0);
    while (due() && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  /**
   * Every open connection is dropped at once (TCP close, no TLS or WebSocket goodbye), then every vehicle reconnects at once
   * and sends one frame; a vehicle is back when that frame is answered. A failed handshake (or one
   * slower than 30 s) is retried after `retryDelayMs` (± 50 % jitter, as vehicles do) until the deadline.
   */
  async storm(deadlineMs: number, retryDelayMs: number): Promise<StormReport> {
    this.stopSending();
    const victims = this.vehicles.filter((v) => v.isOpen);
    const errors: Record<string, number> = {};
    const doneAtMs: number[] = [];
    let failedHandshakes = 0;
    let gaveUp = 0;
    const t0 = performance.now();
    const deadline = t0 + deadlineMs;
    for (const v of victims) v.close(true);
    const reconnect = async (v: VehicleLoad) => {
      for (;;) {
        try {
          await v.connect(this.target, Math.max(1, Math.min(STORM_ATTEMPT_TIMEOUT_MS, deadline - performance.now())));
          break;
        } catch (error) {
          failedHandshakes++;
          count(errors, error);
          const pause = retryDelayMs * (0.5 + Math.random());
          if (performance.now() + pause >= deadline) {
            gaveUp++;
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, pause));
        }
      }
      v.setWindow(1, false);
      const answered = v.nextReply();
      v.queue(performance.now(), 1);
      v.flush();
      await answered;
      doneAtMs.push(performance.now() - t0);
    };
    await Promise.all(victims.map(reconnect));
    return { vehicles: victims.length, doneAtMs, failedHandshakes, gaveUp, errors };
  }

  stats(withLatency: boolean): LoadStats {
    const c = this.counters;
    return {
      sent: c.sent,
      acked: c.acked,
      errors: c.errors,
      others: c.others,
      unexpected: c.unexpected,
      skipped: c.skipped,
      bytesSent: c.bytesSent,
      bytesReceived: c.bytesReceived,
      slowPath: c.slowPath,
      open: this.openCount(),
      closedByServer: c.closedByServer,
      latency: withLatency ? c.latency.snapshot() : undefined,
    };
  }

  reset(): void {
    this.counters.reset();
  }

  close(): void {
    this.stopSending();
    for (const v of this.vehicles) v.close(false);
  }

  private stopSending(): void {
    this.scheduler?.stop();
    this.scheduler = undefined;
    for (const v of this.vehicles) v.setWindow(1, false);
  }

  private openCount(): number {
    let n = 0;
    for (const v of this.vehicles) if (v.isOpen) n++;
    return n;
  }
}

function count(errors: Record<string, number>, error: unknown): void {
  // Numbers (timeouts, ports) would make every message distinct: count by kind.
  const text = (error instanceof Error ? error.message : String(error)).replace(/\d+(\.\d+)?/g, 'N').slice(0, 120);
  errors[text] = (errors[text] ?? 0) + 1;
}

let generator: Generator | undefined;

async function handle(message: ControllerMessage): Promise<GeneratorMessage> {
  if (message.type === 'setup') {
    generator = new Generator(message.plan);
    return { type: 'ready', frames: generator.frameCount };
  }
  if (generator === undefined) throw new Error(`${message.type} before setup`);
  switch (message.type) {
    case 'connect':
      return { type: 'connected', report: await generator.connect(message.upTo) };
    case 'load':
      generator.load(message.mode);
      return { type: 'ok' };
    case 'reset':
      generator.reset();
      return { type: 'ok' };
    case 'snapshot':
      return { type: 'stats', stats: generator.stats(message.withLatency) };
    case 'quiesce':
      await generator.quiesce(message.timeoutMs);
      return { type: 'stats', stats: generator.stats(false) };
    case 'storm':
      return { type: 'storm', report: await generator.storm(message.deadlineMs, message.retryDelayMs) };
    case 'close':
      generator.close();
      return { type: 'ok' };
  }
}

process.on('message', ({ id, message }: ControllerEnvelope) => {
  const answer = (reply: GeneratorMessage) => process.send?.({ id, message: reply } satisfies GeneratorEnvelope);
  handle(message).then(answer, (error: unknown) =>
    answer({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
});
// The controller went away (finished or crashed): nothing may outlive it.
process.on('disconnect', () => process.exit(0));
