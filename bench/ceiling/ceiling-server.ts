/**
 * The ceiling: a bare uWS TLS server with the gateway's TLS setup (same certificates, client
 * certificates verified against the same CA) and cluster layout (same worker count, each binding
 * the port), that answers every binary message with one prebuilt ACK and does nothing else. What
 * the load reaches against it is the limit of this stack on this machine.
 *
 * node dist/bench/ceiling/ceiling-server.js --port P --workers N --cert F --key F --ca F
 */
import cluster from 'node:cluster';
import { parseArgs } from 'node:util';
import { loadUws } from '../../gateway/acceptor/uws-loader';
import { writeAck } from '../../shared/envelope/write-frame';

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string' },
    workers: { type: 'string', default: '1' },
    cert: { type: 'string' },
    key: { type: 'string' },
    ca: { type: 'string' },
  },
});

const ACK = writeAck('00000000000000000000000000000000', 'V');

function worker(): void {
  const uws = loadUws();
  const app = uws.SSLApp({ cert_file_name: values.cert, key_file_name: values.key, ca_file_name: values.ca });
  app.ws('/*', {
    compression: uws.DISABLED,
    maxPayloadLength: 16 * 1024 * 1024,
    idleTimeout: 0,
    sendPingsAutomatically: false,
    message: (ws, _message, isBinary) => {
      if (isBinary) ws.send(ACK, true);
    },
  });
  app.listen(values.host ?? '127.0.0.1', Number(values.port), (socket) => {
    if (!socket) {
      process.stderr.write(`ceiling worker ${process.pid}: cannot listen on port ${values.port}\n`);
      process.exit(1);
    }
  });
  process.on('SIGTERM', () => process.exit(0));
  process.on('disconnect', () => process.exit(0));
}

if (cluster.isPrimary) {
  const count = Number(values.workers);
  for (let i = 0; i < count; i++) cluster.fork();
  const stop = () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
    setTimeout(() => process.exit(0), 200).unref();
    cluster.on('exit', () => {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} else {
  worker();
}
