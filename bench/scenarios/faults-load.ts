/**
 * The fault matrix's load: vehicles that behave as real ones do when the gateway or its broker
 * fails. Each keeps up to `window` frames unanswered (a new frame leaves as an ACK arrives), every
 * frame has its own txid, and a frame is never given up:
 * - a frame unanswered for RESEND_AFTER_MS (no reply, or an ERROR) is sent again, with the same
 *   txid and bytes, on the current connection;
 * - when a connection closes (drain, a killed worker), the vehicle reconnects (a failed attempt is
 *   retried after RECONNECT_DELAY_MS ± 50 %) and first resends everything still unanswered.
 * So a txid may reach the sink more than once (a duplicate: reported, allowed), and every txid that
 * got an ACK must be in the sink (the accounting of faults-readback.ts).
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { VehicleConnection } from '../vehicle/vehicle-client';
import { seededRandom, vehicleDataPayload } from '../vehicle/records';
import { writeStream } from '../../shared/envelope/write-frame';
import type { BenchPki } from '../load/client-identities';

export const RESEND_AFTER_MS = 5_000;
const RECONNECT_DELAY_MS = 250;
/** How long nextReply waits before the vehicle looks for overdue frames again. */
const POLL_MS = 500;
const DATUMS = 20;

/** What the lane-throws fault looks for in a frame (dispatch-workers/test-fault.ts). */
export const LANE_FAULT_MARK = 'LANE-FAULT';

interface Unanswered {
  frame: Uint8Array;
  /** First send (ms, performance clock): recovery counts frames first sent after the fault. */
  firstSentAt: number;
  lastSentAt: number;
}

export interface LoadCounts {
  sent: number;
  resent: number;
  acked: number;
  /** ACKs of a txid already ACKed (the frame was resent, both copies were answered). */
  repeatAcks: number;
  errors: number;
  connections: number;
  failedConnects: number;
}

export class FaultLoad {
  /** Every txid that got an ACK. */
  readonly acked = new Set<string>();
  readonly counts: LoadCounts = { sent: 0, resent: 0, acked: 0, repeatAcks: 0, errors: 0, connections: 0, failedConnects: 0 };
  /** ACK arrival times (ms since the load started), for the timeline. */
  readonly ackTimes: number[] = [];
  readonly startedAt = performance.now();
  private readonly vehicles: ResendingVehicle[];
  private markUntil = 0;
  private markEvery = 1;
  private faultAt = Infinity;
  /** Per vehicle, when it first got an ACK for a frame first sent after the fault's action. */
  readonly recoveredAt: (number | undefined)[];

  private waiters: { until: () => boolean; resolve: () => void }[] = [];

  constructor(
    vehicles: VehicleIdentity[],
    private url: string,
    readonly window: number,
    readonly prefix: string,
    seed: number,
  ) {
    this.vehicles = vehicles.map((v, i) => new ResendingVehicle(this, i, v, seededRandom(seed * 7919 + i)));
    this.recoveredAt = this.vehicles.map(() => undefined);
  }

  /** Resolves once `until()` holds (checked at every reply and connection change). */
  when(until: () => boolean): Promise<void> {
    if (until()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ until, resolve }));
  }

  changed(): void {
    if (this.waiters.length === 0) return;
    this.waiters = this.waiters.filter((w) => {
      if (!w.until()) return true;
      w.resolve();
      return false;
    });
  }

  get target(): string {
    return this.url;
  }

  /** Vehicles connect here from now on (a restarted gateway). */
  retarget(url: string): void {
    this.url = url;
  }

  now(): number {
    return performance.now() - this.startedAt;
  }

  /** The fault's action is over (the broker restarted, resumed…): recovery is measured from here. */
  markFaultOver(): void {
    this.faultAt = this.now();
  }

  get faultOverAt(): number {
    return this.faultAt;
  }

  /** Every `every`-th frame first sent in the next `ms` carries LANE_FAULT_MARK (its resends do not). */
  markFrames(ms: number, every: number): void {
    this.markUntil = this.now() + ms;
    this.markEvery = every;
  }

  shouldMark(n: number): boolean {
    return this.now() < this.markUntil && n % this.markEvery === 0;
  }

  noteAck(vehicle: number, entry: Unanswered | undefined): void {
    const now = this.now();
    this.ackTimes.push(now);
    if (entry !== undefined && entry.firstSentAt >= this.faultAt && this.recoveredAt[vehicle] === undefined)
      this.recoveredAt[vehicle] = now;
  }

  get unanswered(): number {
    return this.vehicles.reduce((n, v) => n + v.unansweredCount, 0);
  }

  get open(): number {
    return this.vehicles.filter((v) => v.isOpen).length;
  }

  /** Stops sending new frames; unanswered ones are still resent until `stop`. */
  stopNewFrames(): void {
    for (const v of this.vehicles) v.sendingNew = false;
  }

  async stop(): Promise<void> {
    await Promise.all(this.vehicles.map((v) => v.stop()));
  }
}

export interface VehicleIdentity {
  vin: string;
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

/** `count` vehicles over the bench's client certificates (round-robin). */
export function benchVehicles(pki: BenchPki, count: number): VehicleIdentity[] {
  const ca = readFileSync(pki.caCert);
  return Array.from({ length: count }, (_, i) => {
    const id = pki.identities[i % pki.identities.length];
    return { vin: id.vin, ca, cert: readFileSync(id.certFile), key: readFileSync(id.keyFile) };
  });
}

class ResendingVehicle {
  sendingNew = true;
  private stopped = false;
  private next = 0;
  private connection: VehicleConnection | undefined;
  private readonly unanswered = new Map<string, Unanswered>();
  private lastSweep = 0;
  private readonly done: Promise<void>;

  constructor(
    private readonly load: FaultLoad,
    private readonly index: number,
    private readonly identity: VehicleIdentity,
    private readonly rand: () => number,
  ) {
    this.done = this.run();
  }

  get unansweredCount(): number {
    return this.unanswered.size;
  }

  get isOpen(): boolean {
    return this.connection !== undefined;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.connection?.close();
    await this.done;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let connection: VehicleConnection;
      try {
        const { ca, cert, key } = this.identity;
        connection = await VehicleConnection.connect({ url: this.load.target, ca, cert, key, connectTimeoutMs: 10_000 });
      } catch {
        this.load.counts.failedConnects++;
        await new Promise((r) => setTimeout(r, RECONNECT_DELAY_MS * (0.5 + Math.random())));
        continue;
      }
      if (this.stopped) {
        await connection.close();
        return;
      }
      this.connection = connection;
      this.load.counts.connections++;
      this.load.changed();
      // Whatever the previous connection left unanswered goes first.
      for (const entry of this.unanswered.values()) this.resend(entry);
      this.fill();
      await this.serve(connection);
      this.connection = undefined;
      this.load.changed();
    }
  }

  /** Reads replies until the connection closes. */
  private async serve(connection: VehicleConnection): Promise<void> {
    for (;;) {
      try {
        const reply = await connection.nextReply(POLL_MS);
        const entry = this.unanswered.get(reply.txid);
        if (reply.kind === 'ack') {
          this.load.counts.acked++;
          if (this.load.acked.has(reply.txid)) this.load.counts.repeatAcks++;
          this.load.acked.add(reply.txid);
          this.unanswered.delete(reply.txid);
          this.load.noteAck(this.index, entry);
        } else {
          this.load.counts.errors++; // stays unanswered: resent when overdue
        }
      } catch (error) {
        if (String(error).includes('connection closed')) return;
      }
      this.sweep();
      this.fill();
      this.load.changed();
    }
  }

  /** Resends what has waited too long for its reply. */
  private sweep(): void {
    const now = performance.now();
    if (now - this.lastSweep < POLL_MS) return;
    this.lastSweep = now;
    for (const entry of this.unanswered.values()) if (now - entry.lastSentAt >= RESEND_AFTER_MS) this.resend(entry);
  }

  private fill(): void {
    while (this.sendingNew && !this.stopped && this.connection !== undefined && this.unanswered.size < this.load.window) {
      const n = this.next++;
      const txid = `${this.load.prefix}-${this.index}-${n}`;
      const payload = vehicleDataPayload(this.identity.vin, DATUMS, this.rand);
      const frame = (messageId: string) =>
        writeStream({
          senderId: `vehicle_device.${this.identity.vin}`,
          topic: 'V',
          txid,
          payload,
          createdAt: Math.floor(Date.now() / 1000),
          messageId,
          deviceType: 'vehicle_device',
          deviceId: this.identity.vin,
          deliveredAt: 0n,
        });
      const now = performance.now();
      const entry: Unanswered = { frame: frame(`${txid}-msg`), firstSentAt: this.load.now(), lastSentAt: now };
      this.unanswered.set(txid, entry);
      this.load.counts.sent++;
      // A marked first attempt makes its batch fail; the resends carry the plain frame.
      this.connection.send(this.load.shouldMark(n) ? frame(`${txid}-${LANE_FAULT_MARK}`) : entry.frame);
    }
  }

  private resend(entry: Unanswered): void {
    if (this.connection === undefined) return;
    entry.lastSentAt = performance.now();
    this.load.counts.resent++;
    this.connection.send(entry.frame);
  }
}
