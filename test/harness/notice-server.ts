/**
 * A local Airbrake/Errbit notice endpoint for tests: `POST /api/v3/projects/<id>/notices` answered
 * like Airbrake (201 with an id), or deliberately broken: hanging forever, or answering 500.
 * Optionally HTTPS with client-certificate authentication.
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';

export interface ReceivedNotice {
  path: string;
  headers: IncomingMessage['headers'];
  body: {
    errors: Array<{ type: string; message: string }>;
    context: Record<string, unknown>;
    params: Record<string, unknown>;
  };
  /** Subject CN of the client certificate, when the server is HTTPS. */
  clientCommonName?: string;
}

export type NoticeServerMode = 'ok' | 'hang' | 'error500';

export class NoticeServer {
  readonly received: ReceivedNotice[] = [];
  private waiters: Array<{ predicate: (n: ReceivedNotice) => boolean; resolve: (n: ReceivedNotice) => void }> = [];
  private readonly hanging: ServerResponse[] = [];

  private readonly server: Server;

  private constructor(
    private readonly mode: NoticeServerMode,
    tls?: { cert: string; key: string; ca: string },
  ) {
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      let text = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (text += chunk));
      req.on('end', () => this.receive(req, res, text));
    };
    this.server = tls ? createHttpsServer({ ...tls, requestCert: true, rejectUnauthorized: true }, handler) : createHttpServer(handler);
    this.protocol = tls ? 'https' : 'http';
  }

  readonly protocol: 'http' | 'https';

  static async start(mode: NoticeServerMode, tls?: { cert: string; key: string; ca: string }): Promise<NoticeServer> {
    const notices = new NoticeServer(mode, tls);
    await new Promise<void>((resolve) => notices.server.listen(0, '127.0.0.1', resolve));
    return notices;
  }

  get url(): string {
    return `${this.protocol}://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Requests received and never answered (mode `hang`). */
  get unanswered(): number {
    return this.hanging.filter((res) => !res.writableEnded && !res.destroyed).length;
  }

  waitFor(predicate: (n: ReceivedNotice) => boolean): Promise<ReceivedNotice> {
    const seen = this.received.find(predicate);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ predicate, resolve }));
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private receive(req: IncomingMessage, res: ServerResponse, text: string): void {
    const socket = req.socket as TLSSocket;
    const peer = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate() : undefined;
    const notice: ReceivedNotice = {
      path: req.url ?? '',
      headers: req.headers,
      body: JSON.parse(text) as ReceivedNotice['body'],
      ...(peer?.subject?.CN !== undefined ? { clientCommonName: String(peer.subject.CN) } : {}),
    };
    this.received.push(notice);
    if (this.mode === 'hang') this.hanging.push(res);
    else if (this.mode === 'error500') res.writeHead(500).end('internal error');
    else {
      const id = String(this.received.length);
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ id, url: `${this.url}/notices/${id}` }));
    }
    this.waiters = this.waiters.filter((w) => {
      if (!w.predicate(notice)) return true;
      w.resolve(notice);
      return false;
    });
  }
}
