/**
 * The plain-HTTP status listener of the primary (PROTOCOL.md §2.1, §11.5): `status_port` on all
 * interfaces, `/status` answers `ok`, anything else 404. Failing to listen is only logged.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { logError } from '../shared/log';
import type { Logger } from '../shared/log';

export function startStatusListener(port: number, logger: Logger): Server {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/status') {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end('ok');
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
    }
  });
  server.on('error', (error) => logError(logger, 'status', error, { port }));
  server.listen(port);
  return server;
}
