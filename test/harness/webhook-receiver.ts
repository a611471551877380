/**
 * A real local HTTP receiver for the webhook sink: records every request (headers, the body as
 * sent, the records it carried) and answers as the test decides: a status, a hang (never answers),
 * or a dropped connection.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';

export interface WebhookRecord {
  record_type: string;
  vin: string;
  txid: string;
  metadata: Record<string, string>;
  payload?: string;
  data?: unknown;
}

export interface ReceivedRequest {
  method: string;
  headers: IncomingHttpHeaders;
  /** The body as sent (compressed when gzip is on). */
  raw: Buffer;
  records: WebhookRecord[];
  /** What the receiver answered: a status, or 'hang' / 'drop'. */
  answer: number | 'hang' | 'drop';
}

export type Answer = number | 'hang' | 'drop';

function parseRecords(raw: Buffer, headers: IncomingHttpHeaders): WebhookRecord[] {
  const text = (headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
  if (headers['content-type'] === 'application/x-ndjson')
    return text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as WebhookRecord);
  return JSON.parse(text) as WebhookRecord[];
}

export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly hanging = new Set<ServerResponse>();
  private waiters: { check: () => boolean; resolve: () => void }[] = [];

  private readonly server: Server;
  url = '';

  private constructor(decide: (records: WebhookRecord[], index: number) => Answer) {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const records = parseRecords(raw, req.headers);
        const answer = decide(records, this.requests.length);
        this.requests.push({ method: req.method ?? '', headers: req.headers, raw, records, answer });
        if (answer === 'hang') this.hanging.add(res);
        else if (answer === 'drop') req.socket.destroy();
        else res.writeHead(answer, { 'content-type': 'text/plain' }).end(answer < 300 ? 'ok' : 'no');
        this.notify();
      });
    });
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  /** Listens on a free loopback port; `decide` answers each request (index = requests before it). */
  static async start(decide: (records: WebhookRecord[], index: number) => Answer, path = '/hook'): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver(decide);
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    receiver.url = `http://127.0.0.1:${(receiver.server.address() as { port: number }).port}${path}`;
    return receiver;
  }

  /** Answers the requests held so far with `status` (they count as answered with it). */
  release(status: number): void {
    for (const res of this.hanging) res.writeHead(status).end();
    for (const r of this.requests) if (r.answer === 'hang') r.answer = status;
    this.hanging.clear();
  }

  /** Records of the requests answered with a 2xx, in arrival order. */
  delivered(): WebhookRecord[] {
    return this.requests.filter((r) => typeof r.answer === 'number' && r.answer < 300).flatMap((r) => r.records);
  }

  waitUntil(check: () => boolean, timeoutMs = 30_000): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`receiver: condition not met within ${timeoutMs} ms (${this.requests.length} requests)`)),
        timeoutMs,
      );
      this.waiters.push({
        check,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  private notify(): void {
    this.waiters = this.waiters.filter((w) => {
      if (!w.check()) return true;
      w.resolve();
      return false;
    });
  }

  async close(): Promise<void> {
    for (const r of this.hanging) r.destroy();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
