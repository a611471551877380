/**
 * A cluster worker process: composition root of the acceptor tier. It owns one uWS listener on the
 * shared port (SO_REUSEPORT), the sessions, one batcher per dispatch lane, and the reliable-ack
 * routing; it drains on the primary's request.
 */
import type { WebSocket, us_listen_socket } from '@btc-vision/uwebsockets.js';
import type { GatewayConfig } from '../config';
import type { Settlement } from '../shared/batch';
import { activity, createLogger, logError } from '../shared/log';
import type { Logger } from '../shared/log';
import { DispatchLanes } from '../dispatch-workers/pool';
import { MainThreadSinks } from '../dispatch-workers/main-thread-sinks';
import { LaneBatcher } from './batcher';
import { closeListener, createVehicleApp, listen } from './acceptor/vehicle-listener';
import type { ConnectionData } from './acceptor/vehicle-listener';
import { Session } from './session';
import { RateLimiter } from './rate-limiter';
import { ReliableAcks } from './reliable-acks';
import { connectivityFrame } from './connectivity';
import type { WorkerMessage, PrimaryMessage } from './cluster-messages';

export async function runWorker(config: GatewayConfig, port: number): Promise<void> {
  const logger = createLogger({ json: config.json_log_enable, level: config.log_level, base: { pid: process.pid } });
  const worker = new GatewayWorker(config, logger, await MainThreadSinks.create(config, logger));
  await worker.start(port);
  const send = (m: WorkerMessage) => process.send?.(m);
  send({ type: 'listening', pid: process.pid });
  process.on('message', (m: PrimaryMessage) => {
    if (m.type === 'drain') {
      worker.drain(m.deadlineMs).then(
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
  private readonly reliableAcks: ReliableAcks;
  private nextSessionKey = 1;
  private nextLane = 0;
  private listenSocket: us_listen_socket | undefined;
  private readonly emitsConnectivity: boolean;

  constructor(
    private readonly config: GatewayConfig,
    private readonly logger: Logger,
    private readonly mainSinks: MainThreadSinks,
  ) {
    this.emitsConnectivity = Object.prototype.hasOwnProperty.call(config.records, 'connectivity');
    this.reliableAcks = new ReliableAcks(logger);
    this.lanes = new DispatchLanes(config, config.gateway.dispatch_threads, (lane, s: Settlement) => this.reliableAcks.settled(lane, s));
    for (let lane = 0; lane < this.lanes.count; lane++) {
      const batcher = new LaneBatcher(
        { maxFrames: config.gateway.batch_max_frames, maxBytes: config.gateway.batch_max_bytes },
        (batch) => this.lanes.run(lane, batch),
        (error) => logError(logger, 'dispatch_batch_error', String(error), { lane }),
        (result, owners) =>
          mainSinks.produce(result, {
            sendLater: (entry, reply) => (owners[entry] as Session).send(reply),
            withdrawPending: (_entry, pendingId) => this.reliableAcks.withdraw(lane, pendingId),
          }),
      );
      this.batchers.push(batcher);
    }
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
    const { rateLimit, gateway } = this.config;
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
      rateLimit.enabled ? new RateLimiter(rateLimit.limit, rateLimit.intervalMs) : undefined,
      { maxInflightFrames: gateway.max_inflight_frames_per_connection },
      {
        shedding: (s) =>
          logError(this.logger, 'session_backpressure', 'in-flight frame limit reached: frames are refused until replies drain', {
            txid: s.identity.socketId,
            device_id: s.identity.deviceId,
            limit: gateway.max_inflight_frames_per_connection,
          }),
        awaitReliableAck: (s, l, id) => this.reliableAcks.await(s, l, id),
        replyFailed: (s) => {
          logError(this.logger, 'socket_err', 'reply dropped: outbound buffer full', {
            txid: s.identity.socketId,
            device_id: s.identity.deviceId,
          });
          s.ws.close();
        },
      },
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
      await this.reliableAcks.idle();
      await this.mainSinks.idle();
    };
    await withDeadline(idle(), deadline);
    for (const session of [...this.sessions.values()]) session.ws.end(1001, 'server shutting down');
    await withDeadline(Promise.all(this.batchers.map((b) => b.idle())), deadline);
    await this.lanes.close();
    await this.mainSinks.close();
    activity(this.logger, 'stopped_server', { pid: process.pid });
  }
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
