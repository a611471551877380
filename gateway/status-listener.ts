/**
 * The plain-HTTP status listener of the primary (PROTOCOL.md §2.1, §11.5): `status_port` on all
 * interfaces, `/status` answers `ok` (upstream), anything unknown 404. Ours, for Kubernetes probes:
 * `/livez` (the process answers) and `/readyz` (200 when every worker listens and every configured
 * sink is connected, 503 with the reasons otherwise, and while draining). Failing to listen is
 * only logged.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { logError } from '../shared/log';
import type { Logger } from '../shared/log';
import type { ReadinessReport } from './observability/readiness';

const TEXT = { 'Content-Type': 'text/plain; charset=utf-8' };

export function startStatusListener(port: number, logger: Logger, readiness: () => ReadinessReport): Server {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/status' || path === '/livez') {
      res.writeHead(200, TEXT).end('ok');
    } else if (path === '/readyz') {
      const report = readiness();
      if (report.ready) res.writeHead(200, TEXT).end('ok');
      else res.writeHead(503, TEXT).end(`not ready:\n${report.reasons.join('\n')}\n`);
    } else {
      res.writeHead(404, TEXT).end('404 page not found\n');
    }
  });
  server.on('error', (error) => logError(logger, 'status', error, { port }));
  server.listen(port);
  return server;
}
