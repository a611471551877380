/** Sends notices to the Airbrake/Errbit notice API off the data path: a bounded queue, one request
 * in flight, a 10 s timeout (upstream's client timeout, PROTOCOL.md §11.7), no retries. A slow or
 * unreachable server fills the queue, and what does not fit is counted and dropped, never waited on. */
import { request as httpRequest, type Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Counter } from '../../shared/metrics';
import type { Notice } from './notice';

export interface NotifierOptions {
  /** `https://api.airbrake.io`, `http://errbit.internal:8080`; a bare host means https. */
  host: string;
  projectId: number;
  projectKey: string;
  /** Client TLS (airbrake.tls): PEM contents. */
  tls?: { ca?: string; cert?: string; key?: string };
  queueSize?: number;
  timeoutMs?: number;
  notices: Counter<'outcome'>;
  dropped: Counter<'reason'>;
}

export const DEFAULT_QUEUE_SIZE = 100;
export const DEFAULT_TIMEOUT_MS = 10_000;

export class AirbrakeNotifier {
  private readonly queue: Notice[] = [];
  private sending = false;
  private readonly url: URL;
  private readonly agent: HttpAgent | HttpsAgent | undefined;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly options: NotifierOptions) {
    const base = /^[a-z][a-z0-9+.-]*:\/\//i.test(options.host) ? options.host : `https://${options.host}`;
    this.url = new URL(`api/v3/projects/${options.projectId}/notices`, base.endsWith('/') ? base : `${base}/`);
    if (this.url.protocol === 'https:') this.agent = new HttpsAgent({ keepAlive: true, maxSockets: 1, ...options.tls });
  }

  get endpoint(): string {
    return this.url.href;
  }

  /** Queues a notice; never blocks. */
  notify(notice: Notice): void {
    if (this.queue.length >= (this.options.queueSize ?? DEFAULT_QUEUE_SIZE)) {
      this.options.dropped.inc({ reason: 'queue_full' });
      return;
    }
    this.queue.push(notice);
    if (!this.sending) void this.drain();
  }

  /** Resolves once the queue is empty and nothing is in flight (drain, tests). */
  idle(): Promise<void> {
    if (!this.sending && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async drain(): Promise<void> {
    this.sending = true;
    for (let notice = this.queue.shift(); notice !== undefined; notice = this.queue.shift()) {
      const ok = await this.send(notice);
      this.options.notices.inc({ outcome: ok ? 'sent' : 'failed' });
    }
    this.sending = false;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private send(notice: Notice): Promise<boolean> {
    const body = JSON.stringify(notice);
    const request = this.url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve) => {
      const req = request(
        this.url,
        {
          method: 'POST',
          agent: this.agent,
          timeout: this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            authorization: `Bearer ${this.options.projectKey}`,
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300));
          res.on('error', () => resolve(false));
          res.on('close', () => resolve(false)); // after 'end' this is a no-op
        },
      );
      req.on('timeout', () => req.destroy(new Error('airbrake request timed out')));
      req.on('error', () => resolve(false));
      req.end(body);
    });
  }
}
