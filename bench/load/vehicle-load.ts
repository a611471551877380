/**
 * One simulated vehicle inside a generator process: its connection, the frames it has sent and not
 * yet seen answered (a ring of send times, in order: the gateway answers a connection in arrival
 * order), and the counters its replies feed. Writes are batched per TLS read or scheduler tick.
 */
import { performance } from 'node:perf_hooks';
import type { SecureContext } from 'node:tls';
import { parseReply } from '../vehicle/vehicle-client';
import { LatencyHistogram } from '../report/histogram';
import type { FramePool } from './frame-pool';
import { OPCODE_BINARY } from './ws-frame';
import { WssConnection } from './wss-connection';
import type { ConnectionHandler, WssTarget } from './wss-connection';

export class LoadCounters {
  sent = 0;
  acked = 0;
  errors = 0;
  others = 0;
  unexpected = 0;
  skipped = 0;
  bytesSent = 0;
  bytesReceived = 0;
  slowPath = 0;
  closedByServer = 0;
  readonly latency = new LatencyHistogram();
  /** The last ACK that did not match its frame's expected bytes (the ceiling's prebuilt ACK). */
  lastOtherAck: Buffer | undefined;

  reset(): void {
    this.sent = this.acked = this.errors = this.others = this.unexpected = this.skipped = 0;
    this.bytesSent = this.bytesReceived = this.slowPath = this.closedByServer = 0;
    this.latency.reset();
  }
}

const UPGRADE_HEADERS = { Version: 'bench-1', 'X-Network-Interface': 'wifi', 'User-Agent': 'fleet-telemetry-bench' };

export class VehicleLoad {
  private connection: WssConnection | undefined;
  private sentAt: Float64Array;
  private frameOf: Int32Array;
  private head = 0;
  private outstanding = 0;
  private nextFrame = 0;
  private readonly queued: Buffer[] = [];
  /** Window mode: frames kept unanswered; 0 = send only when told (rate mode, storms). */
  private window = 0;
  private closing = false;
  /** Which connection is current: a dropped one's late 'close' must not touch its successor. */
  private generation = 0;
  /** Called on the next reply (storm: "sending again" means an answered frame). */
  private replyWaiter: (() => void) | undefined;

  constructor(
    private readonly pool: FramePool,
    private readonly context: SecureContext,
    private readonly counters: LoadCounters,
    capacity: number,
  ) {
    this.sentAt = new Float64Array(capacity);
    this.frameOf = new Int32Array(capacity);
  }

  get isOpen(): boolean {
    return this.connection?.isOpen === true;
  }

  /** Frames sent and not answered yet. */
  get unanswered(): number {
    return this.outstanding;
  }

  async connect(target: WssTarget, timeoutMs: number): Promise<void> {
    this.closing = false;
    this.head = 0;
    this.outstanding = 0;
    const generation = ++this.generation;
    const handler: ConnectionHandler = {
      frame: (opcode, bytes, start, end) => {
        if (generation === this.generation) this.frame(opcode, bytes, start, end);
      },
      afterChunk: () => {
        if (generation === this.generation && this.window > 0) this.fill(performance.now());
      },
      closed: () => {
        if (generation === this.generation) this.closed();
      },
    };
    this.connection = await WssConnection.open(target, this.context, UPGRADE_HEADERS, timeoutMs, handler);
  }

  /** Sets how many unanswered frames the connection may have; resizes its ring while nothing is due. */
  setWindow(window: number, keepFull: boolean): void {
    if (window > this.sentAt.length && this.outstanding === 0) {
      this.sentAt = new Float64Array(window);
      this.frameOf = new Int32Array(window);
      this.head = 0;
    }
    this.window = keepFull ? Math.min(window, this.sentAt.length) : 0;
  }

  /** Queues the next frame unless `limit` frames are already unanswered; false when it could not. */
  queue(now: number, limit: number): boolean {
    if (this.connection === undefined || !this.connection.isOpen) return false;
    if (this.outstanding + this.queued.length >= Math.min(limit, this.sentAt.length)) return false;
    const frame = this.nextFrame;
    this.nextFrame = (frame + 1) % this.pool.frames.length;
    const slot = (this.head + this.outstanding + this.queued.length) % this.sentAt.length;
    this.sentAt[slot] = now;
    this.frameOf[slot] = frame;
    this.queued.push(this.pool.frames[frame]);
    return true;
  }

  /** Writes what was queued as one TLS write. */
  flush(): void {
    const n = this.queued.length;
    if (n === 0 || this.connection === undefined) return;
    const bytes = n === 1 ? this.queued[0] : Buffer.concat(this.queued);
    this.queued.length = 0;
    this.outstanding += n;
    this.counters.sent += n;
    this.counters.bytesSent += bytes.length;
    this.connection.write(bytes);
  }

  /** Keeps the window full (window mode). */
  fill(now: number): void {
    if (this.window === 0) return;
    while (this.queue(now, this.window));
    this.flush();
  }

  /** Resolves at the next reply on this connection. */
  nextReply(): Promise<void> {
    return new Promise((resolve) => (this.replyWaiter = resolve));
  }

  private frame(opcode: number, bytes: Buffer, start: number, end: number): void {
    if (opcode !== OPCODE_BINARY) return;
    const c = this.counters;
    c.bytesReceived += end - start;
    if (this.outstanding === 0) {
      c.unexpected++;
      return;
    }
    const slot = this.head;
    this.head = (slot + 1) % this.sentAt.length;
    this.outstanding--;
    c.latency.record((performance.now() - this.sentAt[slot]) * 1000);
    const expected = this.pool.acks[this.frameOf[slot]];
    if (bytes.compare(expected, 0, expected.length, start, end) === 0) c.acked++;
    else this.classifySlowly(bytes.subarray(start, end));
    const waiter = this.replyWaiter;
    if (waiter !== undefined) {
      this.replyWaiter = undefined;
      waiter();
    }
  }

  private closed(): void {
    if (!this.closing) this.counters.closedByServer++;
    this.outstanding = 0;
    this.queued.length = 0;
  }

  /** Ends the connection: `drop` abruptly (storm), otherwise a TLS close. */
  close(drop: boolean): void {
    this.closing = true;
    this.window = 0;
    if (this.connection === undefined || !this.connection.isOpen) return;
    if (drop) this.connection.drop();
    else this.connection.close();
  }

  /** A reply that is not its frame's ACK: parsed, unless it repeats the last such ACK (the ceiling's). */
  private classifySlowly(reply: Buffer): void {
    const c = this.counters;
    c.slowPath++;
    if (c.lastOtherAck !== undefined && reply.equals(c.lastOtherAck)) {
      c.acked++;
      return;
    }
    const kind = parseReply(reply).kind;
    if (kind === 'ack') {
      c.acked++;
      c.lastOtherAck = Buffer.from(reply);
    } else if (kind === 'error') c.errors++;
    else c.others++;
  }
}
