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
import { settledWithin } from '../shared/deadline';
import { activity, createLogger, logError, reportError } from '../shared/log';
import type { Logger } from '../shared/log';
import type { Counter, Metrics } from '../shared/metrics';
import { DispatchLanes } from '../dispatch-workers/pool';
import { MainThreadSinks } from './main-thread-sinks';
import { LaneBatcher } from './batcher';
import type { BatchObserver } from './batcher';
import { closeListener, createVehicleApp, listen } from './acceptor/vehicle-listener';
import type { ConnectionData, UpgradeResult, VehicleListenerHandlers } from './acceptor/vehicle-listener';
import { Session } from './session';
import type { SessionHooks, SessionOptions } from './session';
import { SessionLane } from './session-lane';
import { RecentFlooders, TurnBudget, turnBudgetBytes } from './turn-budget';
import { ReplyLedger } from './replies/ledger';
import type { EntryVerdicts } from './replies/ledger';
import { connectivityFrame } from './connectivity';
import type { WorkerMessage, PrimaryMessage } from './cluster-messages';
import { WorkerObservability } from './observability/worker-observability';
import { startAirbrake } from './airbrake';
import { isObservabilityPrimaryMessage } from './observability/messages';
import type { ObservabilityPrimaryMessage, ObservabilityWorkerMessage } from './observability/messages';
import { sessionMetrics } from './observability/session-metrics';
import { isVinConnectivityMessage, sendToPrimary, VinConnectivityWorker } from './vin-connectivity';
import type { ConnectivityStatus } from './connectivity';
import { forwardedCertificateGates } from './access/proxy-listener';
import { VIN_REFUSED_CLOSE_CODE, VIN_REFUSED_CLOSE_REASON, VinAllowlist } from './access/vin-allowlist';
import type { SessionMetrics } from './observability/session-metrics';

export async function runWorker(config: GatewayConfig, port: number): Promise<void> {
  const logger = createLogger({ json: config.json_log_enable, level: config.log_level, base: { pid: process.pid } });
  const send = (m: WorkerMessage | ObservabilityWorkerMessage, sent?: () => void) => {
    if (process.connected && process.send !== undefined) process.send(m, undefined, {}, () => sent?.());
    else sent?.();
  };
  const observability = new WorkerObservability(config, logger, send);
  // Listening before startup: a drain may come at any moment. Before this worker serves, it has
  // nothing to finish and just exits.
  let worker: GatewayWorker | undefined = undefined;
  let draining: Promise<void> | undefined;
  process.on('message', (m: PrimaryMessage | ObservabilityPrimaryMessage) => {
    if (isObservabilityPrimaryMessage(m)) {
      observability.handle(m);
      return;
    }
    if (isVinConnectivityMessage(m)) {
      worker?.vinConnectivity?.handle(m);
      return;
    }
    if (m.type !== 'drain') return;
    if (worker === undefined) process.exit(0);
    if (draining !== undefined) {
      worker.hurry();
      return;
    }
    draining = worker.drain(m.deadlineMs, m.spreadMs);
    draining
      .then(() => observability.stop())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logError(logger, 'drain_error', String(error), {});
          process.exit(1);
        },
      );
  });
  startAirbrake(config, logger); // after the metrics are installed, before the sinks start
  const mainSinks = await MainThreadSinks.create(config, logger, observability.metrics);
  const started = new GatewayWorker(config, logger, mainSinks, observability);
  await started.start(port);
  worker = started;
  send({ type: 'listening', pid: process.pid });
}

class GatewayWorker {
  private readonly lanes: DispatchLanes;
  private readonly batchers: LaneBatcher[] = [];
  /** One per batcher: where sessions queue their frames and connectivity records. */
  private readonly sessionLanes: SessionLane[] = [];
  private readonly sessions = new Set<Session>();
  private readonly ledger: ReplyLedger;
  private nextLane = 0;
  private listenSocket: us_listen_socket | undefined;
  /** `trusted_proxy.port`: the plain listener a TLS-terminating proxy connects to. */
  private proxyListenSocket: us_listen_socket | undefined;
  private readonly emitsConnectivity: boolean;
  private readonly metrics: Metrics;
  private readonly sessionMetrics: SessionMetrics;
  private readonly socketErrors: Counter;
  private readonly unfinishedHandshakes: Counter;
  private readonly floodingClosed: Counter;
  /** Frames each connection delivered in this event-loop turn (turn-budget.ts). */
  private readonly turnBudget: TurnBudget<ConnectionData>;
  private readonly recentFlooders = new RecentFlooders();
  private readonly flooderRefused: Counter;
  private readonly rateLimitExceeded: Counter<'device_id' | 'txtype'>;
  /** Shared by every session of this worker (nothing per connection but the Session itself). */
  private readonly sessionOptions: SessionOptions;
  private readonly sessionHooks: SessionHooks;
  /** `vin_allowlist`; undefined when not configured. */
  private vinAllowlist: VinAllowlist | undefined;
  /** `connectivity.per_vin`: the primary decides which socket events make records. */
  readonly vinConnectivity: VinConnectivityWorker | undefined;

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
    this.unfinishedHandshakes = this.metrics.counter('gateway_unfinished_handshakes_total');
    this.floodingClosed = this.metrics.counter('gateway_flooding_closed_total');
    this.flooderRefused = this.metrics.counter('gateway_flooder_sessions_refused_total');
    this.turnBudget = new TurnBudget(turnBudgetBytes(config.gateway.max_inflight_frames_per_connection));
    this.rateLimitExceeded = this.metrics.counter('rate_limit_exceeded_total', ['device_id', 'txtype']);
    this.ledger = new ReplyLedger(logger, this.metrics);
    if (this.emitsConnectivity && config.connectivity.per_vin)
      this.vinConnectivity = new VinConnectivityWorker(sendToPrimary, () => this.sessionLanes[0]);
    const { rateLimit, gateway } = config;
    this.sessionOptions = {
      maxInflightFrames: gateway.max_inflight_frames_per_connection,
      enforceRateLimit: rateLimit.enabled,
      // §8: without enforcement the limiter still observes, for `rate_limit_exceeded_total`.
      rateLimit: rateLimit.enabled || this.metrics.enabled ? { limit: rateLimit.limit, intervalMs: rateLimit.intervalMs } : undefined,
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
      if (isLaneReport(m)) {
        if (m.report !== 'errors') observability.laneReport(lane, m);
        else for (const e of m.errors) reportError(e.kind, e.error, { ...e.fields, lane });
      } else this.ledger.settled(m);
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
      this.sessionLanes.push(new SessionLane(batcher));
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
    if (this.config.vin_allowlist !== '')
      this.vinAllowlist = await VinAllowlist.start(this.config.vin_allowlist, this.logger, this.metrics, () => this.sessions.values());
    const handlers: VehicleListenerHandlers = {
      open: (ws) => this.open(ws),
      message: (ws, message, isBinary) => {
        if (!this.withinTurnBudget(ws, message.byteLength)) return;
        const session = this.sessionOf(ws);
        if (session !== undefined && !session.receive(message, isBinary)) ws.close();
      },
      ping: (ws, message) => void this.withinTurnBudget(ws, message.byteLength),
      close: (ws) => this.close(ws),
      handshakeUnfinished: () => this.unfinishedHandshakes.inc(),
    };
    const tls = { serverCert: this.config.tls.server_cert, serverKey: this.config.tls.server_key, caFile: this.config.tls.ca_file };
    const maxMessageBytes = this.config.gateway.max_websocket_message_bytes;
    const gates = forwardedCertificateGates(this.config, this.logger, this.metrics);
    const app = createVehicleApp(tls, handlers, maxMessageBytes, gates?.main);
    this.listenSocket = await listen(app, this.config.host, port);
    const proxy = this.config.trusted_proxy;
    if (gates?.proxy !== undefined && proxy !== null) {
      this.proxyListenSocket = await listen(createVehicleApp(tls, handlers, maxMessageBytes, gates.proxy), proxy.host, proxy.port);
      activity(this.logger, 'trusted_proxy_listening', { host: proxy.host, port: proxy.port });
    }
    this.observability.start({
      connections: () => this.sessions.size,
      queuedBatches: () => this.batchers.reduce((n, b) => n + b.batchesInFlight, 0),
      pendingReliableAcks: () => this.ledger.pending,
      mainSinkHealth: () => this.mainSinks.health(),
    });
  }

  /**
   * Counts a frame against its connection's budget for this loop turn; past it, the connection
   * is closed at once (a close, not a closing handshake: only that ends uWS's read loop) and counted.
   */
  private withinTurnBudget(ws: WebSocket<ConnectionData>, payloadBytes: number): boolean {
    const data = ws.getUserData();
    if (this.turnBudget.take(data, payloadBytes)) return true;
    this.floodingClosed.inc();
    // A connection refused at open (no session) is already being closed: nothing to remember it by.
    const identity = data.session?.identity;
    if (identity !== undefined) this.recentFlooders.closed(identity.deviceId, Date.now());
    logError(this.logger, 'session_flooding', 'connection closed: it sent faster than it could be read, holding every other vehicle up', {
      txid: identity?.socketId ?? '',
      device_id: identity?.deviceId ?? '',
      limit_bytes: this.turnBudget.maxBytes,
    });
    ws.close();
    return false;
  }

  private sessionOf(ws: WebSocket<ConnectionData>): Session | undefined {
    return ws.getUserData().session;
  }

  private open(ws: WebSocket<ConnectionData>): void {
    const data = ws.getUserData();
    const upgrade = data.upgrade as UpgradeResult;
    // Nothing of the upgrade outlives this call but what the session keeps.
    data.upgrade = undefined;
    const { identity, info } = upgrade;
    if (!identity.ok) {
      // §2.4: the upgrade completes, then the TCP connection is closed without a close frame and
      // no connectivity event. Closing inside `open` would discard the still-corked 101 response.
      logError(this.logger, 'extract_sender_id_err', identity.error, {});
      setImmediate(() => {
        if (!data.closed) ws.close();
      });
      return;
    }
    if (this.draining) {
      // A handshake that was under way when the listener closed: no session (its CONNECTED record
      // would reach lanes that are closing); the vehicle reconnects to a worker still serving.
      setImmediate(() => {
        if (!data.closed) ws.end(1001, 'server shutting down');
      });
      return;
    }
    if (this.recentFlooders.refuses(identity.deviceId, Date.now())) {
      // Closed for flooding moments ago (turn-budget.ts): no session, no connectivity event; a close
      // without a closing handshake (a flooder would keep uWS reading), once the 101 has left.
      this.flooderRefused.inc();
      setImmediate(() => {
        if (!data.closed) ws.close();
      });
      return;
    }
    if (this.vinAllowlist?.refuses(identity.deviceId, info.socketId)) {
      // A close frame with a reason, once the 101 has left (as above); no session, no connectivity event.
      setImmediate(() => {
        if (!data.closed) ws.end(VIN_REFUSED_CLOSE_CODE, VIN_REFUSED_CLOSE_REASON);
      });
      return;
    }
    const lane = this.nextLane;
    this.nextLane = (this.nextLane + 1) % this.sessionLanes.length;
    const session = new Session(
      ws as WebSocket<unknown>,
      {
        socketId: info.socketId,
        deviceId: identity.deviceId,
        senderId: identity.senderId,
        clientVersion: info.clientVersion,
        ...(info.clientVersionExact ? {} : { clientVersionAltered: true }),
      },
      info.networkInterface,
      this.sessionLanes[lane],
      this.sessionOptions,
      this.sessionHooks,
    );
    data.session = session;
    this.sessions.add(session);
    if (this.emitsConnectivity) this.emitConnectivity(session, 'CONNECTED');
    activity(this.logger, 'socket_connected', {
      network_interface: info.networkInterface,
      txid: info.socketId,
      method: info.method,
      path: info.path,
      user_agent: info.userAgent,
      'X-Forwarded-For': info.forwardedFor,
    });
  }

  private close(ws: WebSocket<ConnectionData>): void {
    const data = ws.getUserData();
    data.closed = true;
    const session = data.session;
    if (session === undefined) return;
    data.session = undefined;
    session.closed();
    this.sessions.delete(session);
    activity(this.logger, 'socket_disconnected', {
      total: String(session.receivedBytes),
      duration_sec: Math.floor((Date.now() - session.startedAt) / 1000),
    });
    if (this.emitsConnectivity) this.emitConnectivity(session, 'DISCONNECTED');
  }

  /** Per socket (§7), or per VIN when the primary says this socket made a transition. */
  private emitConnectivity(session: Session, status: ConnectivityStatus): void {
    if (this.vinConnectivity !== undefined) this.vinConnectivity.socket(session, session.networkInterface, status === 'CONNECTED');
    else session.emitConnectivity(connectivityFrame(session.identity, session.networkInterface, status));
  }

  /** Set when the drain starts: sockets still completing their upgrade then get no session. */
  private draining = false;

  /** Closes the sessions a spread drain has not reached yet at once (a SIGTERM during a reload). */
  private closeRemaining: () => void = () => undefined;

  hurry(): void {
    this.closeRemaining();
  }

  /**
   * Drain: stop accepting, stop reading, let in-flight records finish and their replies leave
   * (reliable ACKs included) within the deadline, close the sessions, flush the sinks.
   * With a spread (a reload), the sessions are first closed one by one over the window, so their
   * vehicles reconnect to the new workers gradually; a closed session's unanswered frames are
   * resent by its vehicle.
   */
  async drain(deadlineMs: number, spreadMs: number): Promise<void> {
    const deadline = Date.now() + deadlineMs;
    this.draining = true;
    if (this.listenSocket !== undefined) closeListener(this.listenSocket);
    if (this.proxyListenSocket !== undefined) closeListener(this.proxyListenSocket);
    this.vinAllowlist?.close();
    if (spreadMs > 0) await this.closeSpread(spreadMs);
    // From here every connectivity record goes straight to its batcher, which the drain waits for.
    for (const lane of this.sessionLanes) lane.stopHolding();
    for (const session of this.sessions.values()) session.stopReading();
    const idle = async () => {
      await Promise.all(this.batchers.map((b) => b.idle()));
      await this.ledger.idle();
    };
    await settledWithin(idle(), deadline - Date.now());
    for (const session of [...this.sessions.values()]) session.ws.end(1001, 'server shutting down');
    if (this.vinConnectivity !== undefined) await settledWithin(this.vinConnectivity.settled(), deadline - Date.now());
    await settledWithin(Promise.all(this.batchers.map((b) => b.idle())), deadline - Date.now());
    await this.lanes.close();
    await this.mainSinks.close();
    activity(this.logger, 'stopped_server', { pid: process.pid });
  }

  private closeSpread(spreadMs: number): Promise<void> {
    const sessions = [...this.sessions.values()];
    const step = sessions.length > 0 ? spreadMs / sessions.length : 0;
    return new Promise((resolve) => {
      let next = 0;
      let timer: NodeJS.Timeout | undefined;
      const closeOne = () => {
        const session = sessions[next++];
        if (session.isOpen) session.ws.end(1001, 'server reloading');
      };
      const tick = () => {
        closeOne();
        if (next < sessions.length) timer = setTimeout(tick, step);
        else resolve();
      };
      this.closeRemaining = () => {
        clearTimeout(timer);
        while (next < sessions.length) closeOne();
        resolve();
      };
      if (sessions.length === 0) resolve();
      else timer = setTimeout(tick, step);
    });
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
