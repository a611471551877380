/**
 * A session: one vehicle connection on a worker's main thread (PROTOCOL.md §2.4). It applies the
 * rate limit and the size rule, opens each frame's entry in the reply ledger, queues the frame on
 * its lane, and writes the replies the ledger hands it.
 *
 * Bounded memory: uWS.js (v20.57) has no read pause for WebSockets, so a session with
 * `maxInflightFrames` unanswered frames sheds further frames: they are neither dispatched nor
 * answered, which a vehicle treats like any missing ACK and resends (DEVIATIONS.md D6).
 */
import type { WebSocket } from '@btc-vision/uwebsockets.js';
import { EntryKind } from '../shared/batch';
import type { SessionIdentity } from '../shared/batch';
import type { ReplyLedger } from './replies/ledger';
import type { ReplyQueue, ReplyWriter } from './replies/reply-queue';
import { RateLimiter } from './rate-limiter';
import type { SessionMetrics } from './observability/session-metrics';
import type { SessionLane } from './session-lane';

/** PROTOCOL.md §5.1 step 2: larger messages get ERROR with an empty txid. */
export const MAX_FRAME_BYTES = 1_000_000;

export interface SessionHooks {
  /** The session started shedding frames (once per episode, for the log and metrics). */
  shedding(session: Session): void;
  /** A reply could not be written (PROTOCOL.md §2.4: `socket_err`, the session ends). */
  replyFailed(session: Session): void;
  /** The limiter denied this message (§8: counted); `message` is only valid during the call. */
  rateLimited(session: Session, message: ArrayBuffer): void;
}

export interface SessionOptions {
  maxInflightFrames: number;
  /**
   * D3: a denied message is dropped. Otherwise the limiter only observes (§8: upstream's 100 per
   * 60 s when `rate_limit` is off, which the worker runs only to count `rate_limit_exceeded_total`).
   */
  enforceRateLimit: boolean;
  /** Each session's limiter (§8); undefined: none (no enforcement and no metrics to count for). */
  rateLimit: { limit: number; intervalMs: number } | undefined;
  metrics: SessionMetrics;
  ledger: ReplyLedger;
}

/**
 * An idle session holds only what it must: its socket, identity, lane and counters. The options and
 * hooks are shared by every session of the worker; the reply queue and the rate limiter are made
 * with the first frame (most of a fleet's connections are idle most of the time).
 */
export class Session implements ReplyWriter {
  /** This session's frames awaiting their reply, in arrival order: its in-flight frames. */
  private replies: ReplyQueue | undefined;
  private limiter: RateLimiter | undefined;
  private shedding = false;
  private open = true;
  private draining = false;
  private received = 0;
  readonly startedAt = Date.now();

  constructor(
    readonly ws: WebSocket<unknown>,
    readonly identity: SessionIdentity,
    /** The `X-Network-Interface` header: the connectivity records' `network_interface` (§7). */
    readonly networkInterface: string,
    private readonly lane: SessionLane,
    private readonly options: SessionOptions,
    private readonly hooks: SessionHooks,
  ) {}

  get isOpen(): boolean {
    return this.open;
  }

  get receivedBytes(): number {
    return this.received;
  }

  /** Returns false when the session must end (a text message, §2.4). */
  receive(message: ArrayBuffer, isBinary: boolean): boolean {
    if (!isBinary) return false;
    if (this.draining) {
      this.options.metrics.draining.inc();
      return true; // the worker is stopping: the vehicle resends elsewhere
    }
    const replies = (this.replies ??= this.options.ledger.queueFor(this));
    if (replies.length >= this.options.maxInflightFrames) {
      if (!this.shedding) this.hooks.shedding(this);
      this.shedding = true;
      this.options.metrics.shed.inc();
      return true;
    }
    this.shedding = false;
    const now = Date.now();
    const rateLimit = this.options.rateLimit;
    if (rateLimit !== undefined && !(this.limiter ??= new RateLimiter(rateLimit.limit, rateLimit.intervalMs)).tryAcquire(now)) {
      this.hooks.rateLimited(this, message);
      // D3: a limited message is neither dispatched nor answered.
      if (this.options.enforceRateLimit) {
        this.options.metrics.rateLimited.inc();
        return true;
      }
    }
    this.received += message.byteLength;
    const entry = this.options.ledger.arrived(replies);
    if (message.byteLength > MAX_FRAME_BYTES) this.lane.frame(this.identity, EntryKind.TooBig, undefined, now, entry);
    else this.lane.frame(this.identity, EntryKind.Frame, new Uint8Array(message), now, entry);
    return true;
  }

  /**
   * Queues a server-synthesised connectivity frame (§7). It gets no reply, so it has no ledger entry
   * and does not take one of the vehicle's in-flight slots.
   */
  emitConnectivity(frame: Uint8Array): void {
    this.lane.connectivity(this.identity, frame);
  }

  corked(writeAll: () => void): void {
    if (this.open) this.ws.cork(writeAll);
    else writeAll();
  }

  /** Writes a reply the ledger settled. */
  write(reply: Uint8Array): void {
    if (!this.open) return;
    // uWS.send: 1 sent, 0 buffered (backpressure), 2 dropped over maxBackpressure.
    if (this.ws.send(reply, true) === 2) this.hooks.replyFailed(this);
  }

  /** Called from the uWS `close` handler: the socket must not be touched any more. */
  closed(): void {
    this.open = false;
  }

  /** Ignores frames from now on (worker drain). */
  stopReading(): void {
    this.draining = true;
  }
}
