/**
 * One process of a flood (forked by floods-processes.ts, so that the flood's CPU is its own, not the
 * test's or the bench controller's). Kinds:
 * - `connections`: N TLS connections started at once, each sending the WebSocket upgrade; a 101
 *   is a completed session (dropped at once by this client), anything else a close before one.
 *   With `repeat`, a new wave starts when one has ended.
 * - `silent`: N TCP connections that never send a byte (no TLS); one closed is replaced.
 * - `slowloris`: N TLS connections sending the upgrade request one byte a second; replaced when closed.
 * - `unread`: N vehicles that send frames and never read their replies; reconnect when closed.
 * - `pings`: N vehicles sending nothing but pings.
 * `unread` and `pings` send `perSecond` frames per connection, or as fast as their sockets take them.
 */
import { readFileSync } from 'node:fs';
import { connect as connectTcp } from 'node:net';
import type { Socket } from 'node:net';
import { connect as connectTls, createSecureContext } from 'node:tls';
import type { SecureContext } from 'node:tls';
import { randomBytes } from 'node:crypto';
import { maskedBinaryFrame, ServerFrameReader } from '../load/ws-frame';
import { streamFrame } from '../vehicle/records';
import { emptyFloodReport } from './floods-processes';

export type FloodKind = 'connections' | 'silent' | 'slowloris' | 'unread' | 'pings';

export interface FloodPlan {
  kind: FloodKind;
  host: string;
  port: number;
  caFile: string;
  certFile: string;
  keyFile: string;
  /** The VIN of the certificate (the sender of `unread` frames). */
  vin: string;
  /** Connections kept open, or attempts per wave (`connections`). */
  connections: number;
  /** `connections`: start a new wave when one has ended, until stopped. */
  repeat: boolean;
  /** `unread`, `pings`: frames per second per connection (at most 25,600), or 0: flat out. */
  perSecond: number;
  /** `unread`: characters of each frame's txid, which its ACK echoes (bigger ACKs fill buffers sooner). */
  txidLength: number;
}

export interface FloodReport {
  /** Connections started. */
  attempts: number;
  /** Upgrades answered with 101: WebSocket sessions opened. */
  sessions: number;
  /** Connections that ended before a 101, by how: `closed` (FIN), an error code, or `HTTP <status>`. */
  endedBeforeSession: Record<string, number>;
  /** Sessions the server ended while the flood ran (`unread`: at its outbound bound). */
  sessionsEndedByServer: number;
  /** Attempts still under way when the process reported (a wave that did not end in time). */
  unsettled: number;
  pingsSent: number;
  pongs: number;
  bytesSent: number;
}

export type FloodCommand = { type: 'start'; plan: FloodPlan } | { type: 'progress' } | { type: 'stop'; settleMs: number };
export type FloodAnswer = { type: 'started' } | { type: 'progress'; report: FloodReport } | { type: 'report'; report: FloodReport };

const UPGRADE_HEAD = (key: string) =>
  `GET / HTTP/1.1\r\nHost: flood\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`;
const OPCODE_PING = 0x9;
const OPCODE_PONG = 0xa;

class Flood {
  private readonly report: FloodReport = emptyFloodReport();
  private readonly context: SecureContext;
  private readonly open = new Set<Socket>();
  private stopping = false;
  /** Set when this client drops what is left: those closes are ours, not counted. */
  private dropping = false;
  /** Attempts of the current `connections` wave not yet ended. */
  private underWay = 0;
  private waveEnded: (() => void) | undefined;
  private readonly frames: Buffer;
  private readonly pings: Buffer;

  constructor(private readonly plan: FloodPlan) {
    this.context = createSecureContext({
      ca: readFileSync(plan.caFile),
      cert: readFileSync(plan.certFile),
      key: readFileSync(plan.keyFile),
    });
    // Frames on a topic the gateway has no sink for: ACKed (§5) without sink work; long txids make big ACKs.
    const mask = randomBytes(4);
    this.frames = Buffer.concat(
      Array.from({ length: 64 }, (_, i) =>
        maskedBinaryFrame(
          streamFrame({
            topic: 'flood',
            txid: `${'x'.repeat(plan.txidLength)}-${i}`,
            payload: Uint8Array.of(1),
            vin: plan.vin,
            senderId: plan.vin,
          }),
          mask,
        ),
      ),
    );
    const ping = maskedBinaryFrame(Buffer.from('flood'), mask);
    ping[0] = 0x80 | OPCODE_PING;
    this.pings = Buffer.concat(Array.from({ length: 256 }, () => ping));
  }

  start(): void {
    if (this.plan.kind === 'connections') this.wave();
    else for (let i = 0; i < this.plan.connections; i++) this.keepOne();
  }

  /** The counts so far, the flood going on. */
  progress(): FloodReport {
    return { ...this.report, endedBeforeSession: { ...this.report.endedBeforeSession }, unsettled: this.underWay };
  }

  /** Stops starting connections, lets a wave under way end (up to `settleMs`), closes the rest. */
  async stop(settleMs: number): Promise<FloodReport> {
    this.stopping = true;
    if (this.plan.kind === 'connections' && this.underWay > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, settleMs);
        this.waveEnded = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    this.report.unsettled = this.underWay;
    this.dropping = true;
    for (const socket of this.open) socket.destroy();
    return this.report;
  }

  private wave(): void {
    this.underWay = this.plan.connections;
    for (let i = 0; i < this.plan.connections; i++) {
      let settled = false;
      const settle = () => {
        if (settled) return;
        settled = true;
        if (--this.underWay > 0) return;
        if (this.stopping || !this.plan.repeat) this.waveEnded?.();
        else setImmediate(() => this.wave());
      };
      this.attempt(
        'tls',
        (socket, answer) => {
          if (answer === 101) socket.destroy();
          settle();
        },
        settle,
      );
    }
  }

  /** One connection of a kept level: replaced when it ends, until the flood stops. */
  private keepOne(): void {
    if (this.stopping) return;
    const replace = () => setTimeout(() => this.keepOne(), 50);
    const kind = this.plan.kind;
    if (kind === 'silent') {
      this.attempt('tcp', () => undefined, replace);
      return;
    }
    this.attempt(
      'tls',
      (socket, answer) => {
        if (answer !== 101) return;
        if (kind === 'unread') this.sendUnread(socket);
        if (kind === 'pings') this.sendPings(socket);
      },
      replace,
      kind === 'slowloris',
    );
  }

  /**
   * A connection: TCP only, or TLS then the upgrade request (all at once, or a byte a second).
   * `answered` gets the status of the server's reply to it; `ended` runs when the connection ends.
   */
  private attempt(transport: 'tcp' | 'tls', answered: (socket: Socket, status: number) => void, ended: () => void, slowly = false): void {
    this.report.attempts++;
    const { host, port } = this.plan;
    const socket: Socket =
      transport === 'tcp'
        ? connectTcp(port, host)
        : connectTls({ host, port, secureContext: this.context, checkServerIdentity: () => undefined });
    this.open.add(socket);
    let status = 0;
    let error = '';
    let head = '';
    let timer: NodeJS.Timeout | undefined;
    socket.on('error', (e: NodeJS.ErrnoException) => (error ||= e.code ?? e.message));
    socket.on('close', () => {
      clearInterval(timer);
      this.open.delete(socket);
      if (this.dropping) return;
      if (status === 0) this.count(error || 'closed');
      else if (status === 101 && this.plan.kind !== 'connections') this.report.sessionsEndedByServer++;
      ended();
    });
    if (transport === 'tcp') return;
    socket.once('secureConnect', () => {
      const request = UPGRADE_HEAD(randomBytes(16).toString('base64'));
      if (!slowly) socket.write(request);
      else {
        let sent = 0;
        timer = setInterval(() => {
          if (sent < request.length) socket.write(request[sent++]);
        }, 1000);
      }
    });
    const onHead = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onHead);
      status = Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1] ?? -1);
      if (status === 101) this.report.sessions++;
      else this.count(`HTTP ${status}`);
      answered(socket, status);
    };
    socket.on('data', onHead);
  }

  private count(how: string): void {
    this.report.endedBeforeSession[how] = (this.report.endedBeforeSession[how] ?? 0) + 1;
  }

  /** Frames, and never a read: the replies pile up in the kernel's buffers, then the gateway's. */
  private sendUnread(socket: Socket): void {
    socket.pause();
    this.send(socket, this.frames, 64, () => undefined);
  }

  private sendPings(socket: Socket): void {
    const reader = new ServerFrameReader();
    socket.on('data', (chunk: Buffer) =>
      reader.push(chunk, (opcode) => {
        if (opcode === OPCODE_PONG) this.report.pongs++;
      }),
    );
    this.send(socket, this.pings, 256, (n) => (this.report.pingsSent += n));
  }

  /**
   * `frames` holds `count` frames of equal size: `perSecond` of them a second (every 10 ms, a
   * slice), or flat out: the whole buffer whenever the socket drains.
   */
  private send(socket: Socket, frames: Buffer, count: number, sent: (n: number) => void): void {
    const write = (bytes: Buffer, n: number): boolean => {
      sent(n);
      this.report.bytesSent += bytes.length;
      return socket.write(bytes);
    };
    if (this.plan.perSecond > 0) {
      const n = Math.min(count, Math.max(1, Math.round(this.plan.perSecond / 100)));
      const slice = frames.subarray(0, (frames.length / count) * n);
      const timer = setInterval(() => {
        if (socket.destroyed || this.stopping) clearInterval(timer);
        else write(slice, n);
      }, 10);
      return;
    }
    const more = () => {
      while (!socket.destroyed && !this.stopping) if (!write(frames, count)) return;
    };
    socket.on('drain', more);
    more();
  }
}

if (process.send !== undefined) {
  let flood: Flood | undefined;
  const answer = (m: FloodAnswer, then: () => void = () => undefined) => process.send?.(m, then);
  process.on('message', (m: FloodCommand) => {
    if (m.type === 'start') {
      flood = new Flood(m.plan);
      flood.start();
      answer({ type: 'started' });
    } else if (m.type === 'progress') {
      if (flood !== undefined) answer({ type: 'progress', report: flood.progress() });
    } else if (flood !== undefined) {
      void flood.stop(m.settleMs).then((report) => answer({ type: 'report', report }, () => process.exit(0)));
    }
  });
  // The controller gone (a failed test, Ctrl-C): end too.
  process.on('disconnect', () => process.exit(0));
}
