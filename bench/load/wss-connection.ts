/**
 * A lean mTLS WebSocket client for the load generator: `tls.connect` with a shared SecureContext per
 * client certificate, the HTTP/1.1 upgrade, then raw frames both ways. `ws` (used by
 * vehicle-client.ts) costs several times more CPU per message, and on a 2-core machine every
 * generator cycle is taken from the server being measured.
 */
import { randomBytes } from 'node:crypto';
import { connect } from 'node:tls';
import type { SecureContext, TLSSocket } from 'node:tls';
import { ServerFrameReader } from './ws-frame';
import type { OnServerFrame } from './ws-frame';

/** What a connection's owner is told. */
export interface ConnectionHandler {
  frame: OnServerFrame;
  /** After the frames of one TLS read were handled: the moment to batch the next writes. */
  afterChunk(): void;
  closed(): void;
}

export interface WssTarget {
  host: string;
  port: number;
  /** TLS server name; omitted for IP addresses (no SNI, the certificate's IP SAN is checked). */
  servername?: string;
  path: string;
}

const HEADER_END = Buffer.from('\r\n\r\n');

export class WssConnection {
  private readonly reader = new ServerFrameReader();
  private closed = false;

  private constructor(
    readonly socket: TLSSocket,
    handler: ConnectionHandler,
  ) {
    socket.on('data', (chunk: Buffer) => {
      this.reader.push(chunk, handler.frame);
      handler.afterChunk();
    });
    socket.on('close', () => {
      this.closed = true;
      handler.closed();
    });
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /**
   * Drops the connection as a lost link would end it: no TLS close_notify, no WebSocket close, just
   * the TCP close (resetAndDestroy() would send a RST, but it refuses TLS sockets' handles).
   */
  drop(): void {
    this.socket.destroy();
  }

  close(): void {
    this.socket.end();
  }

  /** Connects, upgrades, and resolves once the server answered 101. */
  static open(
    target: WssTarget,
    context: SecureContext,
    headers: Readonly<Record<string, string>>,
    timeoutMs: number,
    handler: ConnectionHandler,
  ): Promise<WssConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: target.host, port: target.port, servername: target.servername, secureContext: context });
      let head: Buffer = Buffer.alloc(0);
      let settled = false;
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.destroy();
        reject(error);
      };
      const timer = setTimeout(() => fail(new Error(`handshake timeout after ${Math.round(timeoutMs)} ms`)), timeoutMs);
      const closedEarly = () => fail(new Error('connection closed during the handshake'));
      socket.once('error', fail);
      socket.once('close', closedEarly);
      socket.setNoDelay(true);
      socket.once('secureConnect', () => {
        const lines = [
          `GET ${target.path} HTTP/1.1`,
          `Host: ${target.servername ?? target.host}:${target.port}`,
          'Upgrade: websocket',
          'Connection: Upgrade',
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
          'Sec-WebSocket-Version: 13',
          ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
        ];
        socket.write(`${lines.join('\r\n')}\r\n\r\n`);
      });
      const onHead = (chunk: Buffer) => {
        head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
        const end = head.indexOf(HEADER_END);
        if (end < 0) {
          if (head.length > 16_384) fail(new Error('upgrade response header too large'));
          return;
        }
        socket.off('data', onHead);
        const status = head.subarray(0, head.indexOf('\r\n')).toString('latin1');
        if (!/^HTTP\/1\.1 101 /.test(status)) {
          fail(new Error(`upgrade refused: ${status}`));
          return;
        }
        settled = true;
        clearTimeout(timer);
        socket.off('error', fail);
        socket.off('close', closedEarly);
        socket.on('error', () => undefined); // 'close' follows; the owner counts it there
        const connection = new WssConnection(socket, handler);
        const rest = head.subarray(end + HEADER_END.length);
        if (rest.length > 0) socket.emit('data', rest);
        resolve(connection);
      };
      socket.on('data', onHead);
    });
  }
}
