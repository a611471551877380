/**
 * A cluster worker process: composition root of the acceptor tier. It owns one uWS listener on the
 * shared port (SO_REUSEPORT), the sessions, one batcher per dispatch lane, the reply ledger and
 * the main-thread sinks, and its share of observability (metrics, sink health, profiler requests); it drains on
 * the primary's request.
 */
import type { WebSocket, us_listen_socket } from '@btc-vision/uwebsockets.js';
import type { GatewayConfig } from '../config';
import { isLaneReport } from '../shared/batch';
import type { DispatchResult } from '../shared/batch';
import { readFrame } from '../shared/envelope/read-frame';
import { activity, createLogger, logError } from '../shared/log';
import type { Logger } from '../shared/log';
import type { Counter, Metrics } from '../shared/metrics';
import { DispatchLanes } from '../dispatch-workers/pool';
import { MainThreadSinks } from './main-thread-sinks';
import { LaneBatcher } from './batcher';
import type { BatchObserver } from './batcher';
import { closeListener, createVehicleApp, listen } from './acceptor/vehicle-listener';
import type { ConnectionData } from './acceptor/vehicle-listener';
import { Session } from './session';
import type { SessionHooks, SessionOptions } from './session';
import { RateLimiter } from './rate-limiter';
import { ReplyLedger } from './replies/ledger';
import type { EntryVerdicts } from './replies/ledger';
import { connectivityFrame } from './connectivity';
import type { WorkerMessage, PrimaryMessage } from './cluster-messages';
import { WorkerObservability } from './observability/worker-observability';
import { isObservabilityPrimaryMessage } from './observability/messages';
import type { ObservabilityPrimaryMessage, ObservabilityWorkerMessage } from './observability/messages';
import { sessionMetrics } from './observability/session-metrics';
import type { SessionMetrics } from './observability/session-metrics';

export async function runWorker(config: GatewayConfig, port: number): Promise<void> {
  const logger = createLogger({ json: config.json_log_enable, level: config.log_level, base: { pid: process.pid } });
  const send = (m: WorkerMessage | ObservabilityWorkerMessage, sent?: () => void) => {
    if (process.connected && process.send !== undefined) process.send(m, undefined, {}, () => sent?.());
    else sent?.();
  };
  const observability = new WorkerObservability(config, logger, send);
  const mainSinks = await MainThreadSinks.create(config, logger, observability.metrics);
  const worker = new GatewayWorker(config, logger, mainSinks, observability);
  await worker.start(port);
  send({ type: 'listening', pid: process.pid });
  process.on('message', (m: PrimaryMessage | ObservabilityPrimaryMessage) => {
    if (isObservabilityPrimaryMessage(m)) {
      observability.handle(m);
      return;
    }
    if (m.type === 'drain') {
      worker
        .drain(m.deadlineMs)
        .then(() => observability.stop())
        .then(
          () => process.exit(0),
          (error: unknown) => {
            logError(logger, 'drain_error', String(error), {});
            process.exit(1);
          },
        );
    }
  });
  // The primary decides when to stop; a worker ignores the signals its process group receives.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => undefined);
}

class GatewayWorker {
  private readonly lanes: DispatchLanes;
  private readonly batchers: LaneBatcher[] = [];
  private readonly sessions = new Map<number, Session>();
  private readonly ledger: ReplyLedger;
  private nextSessionKey = 1;
  private nextLane = 0;
  private listenSocket: us_listen_socket | undefined;
  private readonly emitsConnectivity: boolean;
  private readonly metrics: Metrics;
  private readonly sessionMetrics: SessionMetrics;
  private readonly socketErrors: Counter;
  private readonly rateLimitExceeded: Counter<'device_id' | 'txtype'>;
  /** Shared by every session of this worker (nothing per connection but the Session itself). */
  private readonly sessionOptions: SessionOptions;
  private readonly sessionHooks: SessionHooks;

  constructor(
    private readonly config: GatewayConfig,
    private readonly logger: Logger,
    private readonly mainSinks: MainThreadSinks,
    private readonly observability: WorkerObservability,
  ) {
    this.emitsConnectivity = Object.prototype.hasOwnProperty.call(config.records, 'connectivity');
    this.metrics = observability.metrics;
    this.sessionMetrics = sessionMetrics(this.metrics);
    this.socketErrors = this.metrics.counter('socket_err_total');
    this.rateLimitExceeded = this.metrics.counter('rate_limit_exceeded_total', ['device_id', 'txtype']);
    this.ledger = new ReplyLedger(logger, this.metrics);
    const { rateLimit, gateway } = config;
    this.sessionOptions = {
      maxInflightFrames: gateway.max_inflight_frames_per_connection,
      enforceRateLimit: rateLimit.enabled,
      metrics: this.sessionMetrics,
      ledger: this.ledger,
    };
    this.sessionHooks = {
      shedding: (s) =>
        logError(logger, 'session_backpressure', 'in-flight frame limit reached: frames are refused until replies drain', {
          txid: s.identity.socketId,
          device_id: s.identity.deviceId,
          limit: gateway.max_inflight_frames_per_connection,
        }),
      rateLimited: (s, message) => this.rateLimitExceeded.inc({ device_id: s.identity.deviceId, txtype: txtypeOf(message) }),
      replyFailed: (s) => {
        this.socketErrors.inc();
        logError(logger, 'socket_err', 'reply dropped: outbound buffer full', {
          txid: s.identity.socketId,
          device_id: s.identity.deviceId,
        });
        s.ws.close();
      },
    };
    this.lanes = new DispatchLanes(config, config.gateway.dispatch_threads, (lane, m) => {
      if (isLaneReport(m)) observability.laneReport(lane, m);
      else this.ledger.settled(m);
    });
    const produceOnMainThread = (result: DispatchResult, verdicts: EntryVerdicts) => mainSinks.produce(result, verdicts);
    for (let lane = 0; lane < this.lanes.count; lane++) {
      const batcher = new LaneBatcher(
        { maxFrames: config.gateway.batch_max_frames, maxBytes: config.gateway.batch_max_bytes },
        (batch) => this.lanes.run(lane, batch),
        {
          returned: (result, entries) => this.ledger.batchReturned(entries, result, produceOnMainThread),
          failed: (error, entries) => {
            logError(logger, 'dispatch_batch_error', String(error), { lane, entries: entries.length });
            this.ledger.batchFailed(entries);
          },
        },
        this.batchObserver(lane),
      );
      this.batchers.push(batcher);
    }
  }

  /** Batch sizes and round trips, and the lane's counts carried by each result. */
  private batchObserver(lane: number): BatchObserver | undefined {
    if (!this.metrics.enabled) return undefined;
    const frames = this.metrics.histogram('gateway_batch_frames').labels({});
    const bytes = this.metrics.histogram('gateway_batch_bytes').labels({});
    const roundTrip = this.metrics.histogram('gateway_dispatch_batch_seconds').labels({});
    return {
      flushed: (entries, used) => {
        frames.observe(entries);
        bytes.observe(used);
      },
      returned: (result, seconds) => {
        roundTrip.observe(seconds);
        this.observability.laneMetrics(lane, result.metrics);
      },
    };
  }

  async start(port: number): Promise<void> {
    await this.lanes.start();
    const app = createVehicleApp(
      { serverCert: this.config.tls.server_cert, serverKey: this.config.tls.server_key, caFile: this.config.tls.ca_file },
      {
        open: (ws) => this.open(ws),
        message: (ws, message, isBinary) => {
          const session = this.sessionOf(ws);
          if (session !== undefined && !session.receive(message, isBinary)) ws.close();
        },
        close: (ws) => this.close(ws),
      },
    );
    this.listenSocket = await listen(app, this.config.host, port);
    this.observability.start({
      connections: () => this.sessions.size,
      queuedBatches: () => this.batchers.reduce((n, b) => n + b.batchesInFlight, 0),
      pendingReliableAcks: () => this.ledger.pending,
      mainSinkHealth: () => this.mainSinks.health(),
    });
  }

  private sessionOf(ws: WebSocket<ConnectionData>): Session | undefined {
    const key = ws.getUserData().sessionKey;
    return key === undefined ? undefined : this.sessions.get(key);
  }

  private open(ws: WebSocket<ConnectionData>): void {
    const data = ws.getUserData();
    if (!data.identity.ok) {
      // §2.4: the upgrade completes, then the TCP connection is closed without a close frame and
      // no connectivity event. Closing inside `open` would discard the still-corked 101 response.
      logError(this.logger, 'extract_sender_id_err', data.identity.error, {});
      setImmediate(() => {
        if (!data.closed) ws.close();
      });
      return;
    }
    const lane = this.nextLane;
    this.nextLane = (this.nextLane + 1) % this.batchers.length;
    const { rateLimit } = this.config;
    // §8: without enforcement the limiter still observes, for `rate_limit_exceeded_total`.
    const limiter = rateLimit.enabled || this.metrics.enabled ? new RateLimiter(rateLimit.limit, rateLimit.intervalMs) : undefined;
    const session = new Session(
      ws as WebSocket<unknown>,
      {
        socketId: data.upgrade.socketId,
        deviceId: data.identity.deviceId,
        senderId: data.identity.senderId,
        clientVersion: data.upgrade.clientVersion,
      },
      lane,
      this.batchers[lane],
      limiter,
      this.sessionOptions,
      this.sessionHooks,
    );
    const key = this.nextSessionKey++;
    data.sessionKey = key;
    this.sessions.set(key, session);
    if (this.emitsConnectivity) session.emitConnectivity(connectivityFrame(session.identity, data.upgrade.networkInterface, 'CONNECTED'));
    activity(this.logger, 'socket_connected', {
      network_interface: data.upgrade.networkInterface,
      txid: data.upgrade.socketId,
      method: data.upgrade.method,
      path: data.upgrade.path,
      user_agent: data.upgrade.userAgent,
      'X-Forwarded-For': data.upgrade.forwardedFor,
    });
  }

  private close(ws: WebSocket<ConnectionData>): void {
    const data = ws.getUserData();
    data.closed = true;
    const session = data.sessionKey === undefined ? undefined : this.sessions.get(data.sessionKey);
    if (session === undefined) return;
    session.closed();
    this.sessions.delete(data.sessionKey as number);
    activity(this.logger, 'socket_disconnected', {
      total: String(session.receivedBytes),
      duration_sec: Math.floor((Date.now() - session.startedAt) / 1000),
    });
    if (this.emitsConnectivity)
      session.emitConnectivity(connectivityFrame(session.identity, data.upgrade.networkInterface, 'DISCONNECTED'));
  }

  /**
   * Drain: stop accepting, stop reading, let in-flight records finish and their replies leave
   * (reliable ACKs included) within the deadline, close the sessions, flush the sinks.
   */
  async drain(deadlineMs: number): Promise<void> {
    const deadline = Date.now() + deadlineMs;
    if (this.listenSocket !== undefined) closeListener(this.listenSocket);
    for (const session of this.sessions.values()) session.stopReading();
    const idle = async () => {
      await Promise.all(this.batchers.map((b) => b.idle()));
      await this.ledger.idle();
    };
    await withDeadline(idle(), deadline);
    for (const session of [...this.sessions.values()]) session.ws.end(1001, 'server shutting down');
    await withDeadline(Promise.all(this.batchers.map((b) => b.idle())), deadline);
    await this.lanes.close();
    await this.mainSinks.close();
    activity(this.logger, 'stopped_server', { pid: process.pid });
  }
}

/**
 * D3: the txtype of a denied message, from a cheap envelope read on the main thread (~1 µs, and
 * only for denied messages) rather than a trip through a lane; '' when it is not a readable stream.
 */
function txtypeOf(message: ArrayBuffer): string {
  const frame = readFrame(new Uint8Array(message));
  return frame.kind === 'malformed' ? '' : frame.topic;
}

function withDeadline(work: Promise<unknown>, deadline: number): Promise<void> {
  const remaining = Math.max(0, deadline - Date.now());
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, remaining);
    work.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      () => {
        clearTimeout(timer);
        resolve();
      },
    );
  });
}
