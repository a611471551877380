/**
 * A vehicle at the byte level: mTLS, the HTTP upgrade, then whatever bytes a test writes, so that
 * tests can send frames no WebSocket library would (reserved bits, unmasked, bad continuations),
 * and see every frame the server sends back, close frames included.
 */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:tls';
import type { TLSSocket } from 'node:tls';
import type { GatewayProcess } from './gateway-process';

export interface ServerFrame {
  fin: boolean;
  opcode: number;
  payload: Buffer;
}

export interface RawFrameOptions {
  fin?: boolean;
  /** The three RSV bits, as a number 0–7. */
  rsv?: number;
  masked?: boolean;
}

/** A client frame built by hand (RFC 6455 §5.2), masked unless told otherwise. */
export function rawFrame(opcode: number, payload: Uint8Array, options: RawFrameOptions = {}): Buffer {
  const { fin = true, rsv = 0, masked = true } = options;
  const n = payload.length;
  const lengthBytes = n < 126 ? 0 : n < 65536 ? 2 : 8;
  const header = Buffer.alloc(2 + lengthBytes + (masked ? 4 : 0));
  header[0] = (fin ? 0x80 : 0) | (rsv << 4) | opcode;
  header[1] = (masked ? 0x80 : 0) | (n < 126 ? n : n < 65536 ? 126 : 127);
  if (lengthBytes === 2) header.writeUInt16BE(n, 2);
  if (lengthBytes === 8) header.writeBigUInt64BE(BigInt(n), 2);
  const body = Buffer.from(payload);
  if (masked) {
    const mask = randomBytes(4);
    mask.copy(header, 2 + lengthBytes);
    for (let i = 0; i < n; i++) body[i] ^= mask[i & 3];
  }
  return Buffer.concat([header, body]);
}

export class RawVehicle {
  readonly frames: ServerFrame[] = [];
  /** Resolves when the TCP connection has closed. */
  readonly ended: Promise<void>;
  private buffered = Buffer.alloc(0);
  private waiters: { done: (frames: readonly ServerFrame[]) => boolean; resolve: () => void }[] = [];

  private constructor(private readonly socket: TLSSocket) {
    this.ended = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined); // a reset ends the connection; `ended` reports it
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      this.parse();
    });
  }

  static connect(gateway: GatewayProcess, vin: string, headers: Record<string, string> = {}): Promise<RawVehicle> {
    const cert = gateway.pki.vehicles[vin];
    return new Promise((resolve, reject) => {
      const socket = connect({
        host: '127.0.0.1',
        port: Number(new URL(gateway.url).port),
        ca: readFileSync(gateway.pki.caCert),
        cert: readFileSync(cert.cert),
        key: readFileSync(cert.key),
        checkServerIdentity: () => undefined,
      });
      socket.once('error', reject);
      socket.once('secureConnect', () => {
        socket.write(
          [
            'GET / HTTP/1.1',
            'Host: 127.0.0.1',
            'Upgrade: websocket',
            'Connection: Upgrade',
            `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
            'Sec-WebSocket-Version: 13',
            ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
            '',
            '',
          ].join('\r\n'),
        );
      });
      let head = Buffer.alloc(0);
      const onHead = (chunk: Buffer) => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        socket.off('data', onHead);
        socket.off('error', reject);
        if (!head.subarray(0, 12).toString('latin1').startsWith('HTTP/1.1 101')) {
          reject(new Error(`upgrade refused: ${head.subarray(0, head.indexOf('\r\n')).toString('latin1')}`));
          return;
        }
        const vehicle = new RawVehicle(socket);
        const rest = head.subarray(end + 4);
        if (rest.length > 0) socket.emit('data', rest);
        resolve(vehicle);
      };
      socket.on('data', onHead);
    });
  }

  write(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** The server's close frame, if it sent one: its code and reason. */
  get close(): { code: number | undefined; reason: string } | undefined {
    const frame = this.frames.find((f) => f.opcode === 0x8);
    if (frame === undefined) return undefined;
    return {
      code: frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : undefined,
      reason: frame.payload.subarray(2).toString('utf8'),
    };
  }

  /** Resolves once `done` holds over the frames received so far (checked as frames arrive). */
  waitForFrames(done: (frames: readonly ServerFrame[]) => boolean): Promise<void> {
    if (done(this.frames)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ done, resolve }));
  }

  /** Stops reading from the socket: the server's replies pile up in the kernel's and its own buffers. */
  stopReading(): void {
    this.socket.pause();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private parse(): void {
    for (;;) {
      const buf = this.buffered;
      if (buf.length < 2) return;
      let length = buf[1] & 0x7f;
      let at = 2;
      if (length === 126) {
        if (buf.length < 4) return;
        length = buf.readUInt16BE(2);
        at = 4;
      } else if (length === 127) {
        if (buf.length < 10) return;
        length = Number(buf.readBigUInt64BE(2));
        at = 10;
      }
      if (buf.length < at + length) return;
      this.frames.push({ fin: (buf[0] & 0x80) !== 0, opcode: buf[0] & 0x0f, payload: Buffer.from(buf.subarray(at, at + length)) });
      this.buffered = buf.subarray(at + length);
      this.waiters = this.waiters.filter((w) => {
        if (!w.done(this.frames)) return true;
        w.resolve();
        return false;
      });
    }
  }
}
