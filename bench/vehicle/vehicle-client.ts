/**
 * A simulated vehicle's connection: mTLS WebSocket client that sends frames and reads the
 * gateway's replies in order. Used by `npm run vehicle`, the tests and the benchmarks.
 */
import WebSocket from 'ws';
import { readFrame } from '../../shared/envelope/read-frame';

export interface VehicleConnectOptions {
  /** e.g. wss://localhost:4443/ */
  url: string;
  ca: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Extra upgrade headers (X-TXID, Version, X-Network-Interface…). */
  headers?: Record<string, string>;
  connectTimeoutMs?: number;
  /** Local address to connect from (e.g. 127.0.0.2, to test source-address rules). */
  localAddress?: string;
}

export interface Reply {
  kind: 'ack' | 'error' | 'unknown';
  txid: string;
  topic: string;
  /** For ERROR replies: the stream payload text (`incorrect message format`). */
  errorText: string;
  bytes: Uint8Array;
}

/** Parses a frame sent by the gateway: ACK (message type 5) or ERROR (type 4). */
export function parseReply(bytes: Uint8Array): Reply {
  const frame = readFrame(bytes);
  if (frame.kind === 'stream') {
    return { kind: 'error', txid: frame.txid, topic: frame.topic, errorText: Buffer.from(frame.payload).toString(), bytes };
  }
  if (frame.kind === 'unknown-type' && frame.msgType === 5) {
    return { kind: 'ack', txid: frame.txid, topic: frame.topic, errorText: '', bytes };
  }
  return { kind: 'unknown', txid: frame.txid, topic: '', errorText: '', bytes };
}

export class VehicleConnection {
  private readonly queued: Reply[] = [];
  private readonly waiters: { resolve: (r: Reply) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }[] = [];
  private closedError: Error | undefined;
  /** Resolves with the close code when the connection ends. */
  readonly closed: Promise<number>;
  /** The close frame's reason, once closed ('' without one). */
  closeReason = '';

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      const reply = parseReply(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      const waiter = this.waiters.shift();
      if (waiter === undefined) this.queued.push(reply);
      else {
        clearTimeout(waiter.timer);
        waiter.resolve(reply);
      }
    });
    this.closed = new Promise((resolve) => {
      socket.on('close', (code, reason: Buffer) => {
        this.closeReason = reason.toString();
        this.closedError = new Error(`connection closed (code ${code})`);
        for (const waiter of this.waiters.splice(0)) {
          clearTimeout(waiter.timer);
          waiter.reject(this.closedError);
        }
        resolve(code);
      });
    });
  }

  static connect(options: VehicleConnectOptions): Promise<VehicleConnection> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(options.url, {
        ca: options.ca,
        cert: options.cert,
        key: options.key,
        headers: options.headers,
        perMessageDeflate: false,
        handshakeTimeout: options.connectTimeoutMs ?? 10_000,
        localAddress: options.localAddress,
      });
      const connection = new VehicleConnection(socket);
      socket.once('open', () => resolve(connection));
      socket.once('error', reject);
      socket.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)));
    });
  }

  send(frame: Uint8Array): void {
    this.socket.send(frame, { binary: true });
  }

  sendText(text: string): void {
    this.socket.send(text, { binary: false });
  }

  /** The next reply in arrival order. */
  nextReply(timeoutMs = 10_000): Promise<Reply> {
    const queued = this.queued.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.closedError !== undefined) return Promise.reject(this.closedError);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.waiters.findIndex((w) => w.timer === timer);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new Error(`no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push({ resolve, reject, timer });
    });
  }

  /** Replies received and not yet taken by nextReply(). */
  get pendingReplies(): number {
    return this.queued.length;
  }

  close(): Promise<number> {
    this.socket.close();
    return this.closed;
  }

  /** Drops the TCP connection without a close handshake. */
  terminate(): void {
    this.socket.terminate();
  }
}
