import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Counter } from '../../shared/metrics';
import { buildNotice } from './notice';
import { AirbrakeNotifier } from './notifier';

function counter<L extends string>(): Counter<L> & { counts: Map<string, number> } {
  const counts = new Map<string, number>();
  const inc = (labels?: unknown, value = 1): void => {
    const key = typeof labels === 'object' && labels !== null ? Object.values(labels).join(',') : '';
    counts.set(key, (counts.get(key) ?? 0) + value);
  };
  return { counts, inc, labels: () => ({ inc: (v?: number) => inc(undefined, v) }) } as Counter<L> & { counts: Map<string, number> };
}

const SOURCE = { environment: 'test', hostname: 'h', version: '1.2.3', component: 'worker 1', pid: 7 };

describe('AirbrakeNotifier', () => {
  let server: ReturnType<typeof createServer>;
  let bodies: Array<{ url: string | undefined; auth: string | undefined; body: unknown }>;
  let status: number;
  let held: ServerResponse[];
  let hold: boolean;
  let base: string;

  beforeEach(async () => {
    bodies = [];
    held = [];
    hold = false;
    status = 201;
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString()));
      req.on('end', () => {
        bodies.push({ url: req.url, auth: req.headers.authorization, body: JSON.parse(text) });
        if (hold) held.push(res);
        else res.writeHead(status).end('{"id":"1"}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    for (const res of held) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  test('posts each notice to /api/v3/projects/<id>/notices with the key as bearer token', async () => {
    const notices = counter<'outcome'>();
    const notifier = new AirbrakeNotifier({ host: base, projectId: 9, projectKey: 'abc', notices, dropped: counter<'reason'>() });
    notifier.notify(buildNotice('kafka_err', 'broker down', { record_type: 'V', txid: 't', vin: 'VIN1' }, SOURCE));
    await notifier.idle();
    expect(bodies).toEqual([
      {
        url: '/api/v3/projects/9/notices',
        auth: 'Bearer abc',
        body: {
          errors: [{ type: 'kafka_err', message: 'broker down', backtrace: [] }],
          context: expect.objectContaining({ environment: 'test', version: '1.2.3', component: 'worker 1', severity: 'error' }),
          params: { record_type: 'V', txid: 't', vin: 'VIN1', log_type: 'error', error: 'broker down', pid: 7 },
          environment: {},
          session: {},
        },
      },
    ]);
    expect(notices.counts.get('sent')).toBe(1);
  });

  test('a 500 counts as failed and is not retried', async () => {
    status = 500;
    const notices = counter<'outcome'>();
    const notifier = new AirbrakeNotifier({ host: base, projectId: 1, projectKey: 'k', notices, dropped: counter<'reason'>() });
    notifier.notify(buildNotice('redis_err', 'x', undefined, SOURCE));
    await notifier.idle();
    expect(bodies).toHaveLength(1);
    expect(notices.counts.get('failed')).toBe(1);
  });

  test('while a request hangs, notices beyond the queue bound are dropped and counted, never waited on', async () => {
    hold = true;
    const dropped = counter<'reason'>();
    const notifier = new AirbrakeNotifier({
      host: base,
      projectId: 1,
      projectKey: 'k',
      queueSize: 3,
      notices: counter<'outcome'>(),
      dropped,
    });
    for (let i = 0; i < 10; i++) notifier.notify(buildNotice('kinesis_err', String(i), undefined, SOURCE));
    // One in flight (taken off the queue), three queued, six dropped, all synchronously.
    expect(dropped.counts.get('queue_full')).toBe(6);
  });

  test('a bare host means https', () => {
    const notifier = new AirbrakeNotifier({
      host: 'errbit.example.com',
      projectId: 3,
      projectKey: 'k',
      notices: counter(),
      dropped: counter(),
    });
    expect(notifier.endpoint).toBe('https://errbit.example.com/api/v3/projects/3/notices');
  });
});
