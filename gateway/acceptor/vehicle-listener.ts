/**
 * The main listener of a worker (PROTOCOL.md §2.1–2.4): a uWS SSLApp that requires a verified client
 * certificate, answers `/status`, and upgrades every other path to a WebSocket session.
 *
 * uWS refuses certificates from another CA during the handshake but lets clients without a
 * certificate through, so every route checks that one was presented (401 otherwise).
 */
import type { HttpRequest, HttpResponse, TemplatedApp, us_listen_socket, WebSocket } from '@btc-vision/uwebsockets.js';
import { getClientCertificatePem, loadUws } from './uws-loader';
import { identityFromCertificate } from '../identity';
import type { Identity } from '../identity';
import { connectionIdFromHeader } from '../connection-id';
import { upgradeFailure } from './upgrade-checks';

export interface UpgradeInfo {
  socketId: string;
  clientVersion: string;
  networkInterface: string;
  userAgent: string;
  forwardedFor: string;
  path: string;
  method: string;
}

export interface ConnectionData {
  identity: Identity;
  upgrade: UpgradeInfo;
  /** Set by the worker when the session opens. */
  sessionKey?: number;
  /** Set by the worker when uWS reports the socket closed: it must not be touched after. */
  closed?: boolean;
}

export interface VehicleListenerHandlers {
  open(ws: WebSocket<ConnectionData>): void;
  message(ws: WebSocket<ConnectionData>, message: ArrayBuffer, isBinary: boolean): void;
  close(ws: WebSocket<ConnectionData>, code: number): void;
}

export interface TlsFiles {
  serverCert: string;
  serverKey: string;
  caFile: string;
}

/** Messages far above the 1 MB rule still reach the application, which answers them with ERROR (§2.4). */
const MAX_WEBSOCKET_MESSAGE = 16 * 1024 * 1024;
/**
 * Outbound buffer per socket before uWS drops sends (the session then ends, `socket_err`). A session
 * sheds frames at its in-flight bound long before its replies could fill this.
 */
const MAX_BACKPRESSURE = 4 * 1024 * 1024;

export function createVehicleApp(tls: TlsFiles, handlers: VehicleListenerHandlers): TemplatedApp {
  const uws = loadUws();
  const app = uws.SSLApp({ cert_file_name: tls.serverCert, key_file_name: tls.serverKey, ca_file_name: tls.caFile });

  app.any('/status', (res) => {
    if (refuseWithoutCertificate(res)) return;
    res.cork(() => res.writeStatus('200 OK').writeHeader('Content-Type', 'text/plain; charset=utf-8').end('mtls ok'));
  });

  app.ws<ConnectionData>('/*', {
    compression: uws.DISABLED,
    maxPayloadLength: MAX_WEBSOCKET_MESSAGE,
    maxBackpressure: MAX_BACKPRESSURE,
    closeOnBackpressureLimit: false,
    idleTimeout: 0, // upstream has no idle timeout and never pings
    sendPingsAutomatically: false,
    upgrade: (res, req, context) => {
      const certificate = getClientCertificatePem(res);
      if (refuseWithoutCertificate(res, certificate)) return;
      const failure = upgradeFailure(req);
      if (failure !== undefined) {
        res.cork(() =>
          res
            .writeStatus(failure.status)
            .writeHeader('Sec-Websocket-Version', '13')
            .writeHeader('Content-Type', 'text/plain; charset=utf-8')
            .end(failure.body),
        );
        return;
      }
      const data: ConnectionData = {
        identity: identityFromCertificate(certificate),
        upgrade: readUpgradeInfo(req),
      };
      // No subprotocol and no extension is ever negotiated (§2.4).
      res.upgrade(data, req.getHeader('sec-websocket-key'), '', '', context);
    },
    open: handlers.open,
    message: handlers.message,
    close: handlers.close,
  });

  // Requests that are not WebSocket upgrades get upstream's upgrade-failure answers (§2.3).
  app.any('/*', (res, req) => {
    if (refuseWithoutCertificate(res)) return;
    const failure = upgradeFailure(req) ?? { status: '400 Bad Request', body: 'Bad Request\n' };
    res.cork(() =>
      res
        .writeStatus(failure.status)
        .writeHeader('Sec-Websocket-Version', '13')
        .writeHeader('Content-Type', 'text/plain; charset=utf-8')
        .end(failure.body),
    );
  });
  return app;
}

export function listen(app: TemplatedApp, host: string, port: number): Promise<us_listen_socket> {
  return new Promise((resolve, reject) => {
    const onListen = (socket: us_listen_socket | false) => {
      if (socket) resolve(socket);
      else reject(new Error(`cannot listen on ${host || '0.0.0.0'}:${port}`));
    };
    if (host === '') app.listen(port, onListen);
    else app.listen(host, port, onListen);
  });
}

export function closeListener(socket: us_listen_socket): void {
  loadUws().us_listen_socket_close(socket);
}

function refuseWithoutCertificate(res: HttpResponse, certificate = getClientCertificatePem(res)): boolean {
  if (certificate !== '') return false;
  res.cork(() =>
    res.writeStatus('401 Unauthorized').writeHeader('Content-Type', 'text/plain; charset=utf-8').end('client certificate required\n', true),
  );
  return true;
}

function readUpgradeInfo(req: HttpRequest): UpgradeInfo {
  return {
    socketId: connectionIdFromHeader(req.getHeader('x-txid') || undefined),
    clientVersion: req.getHeader('version'),
    networkInterface: req.getHeader('x-network-interface'),
    userAgent: req.getHeader('user-agent'),
    forwardedFor: req.getHeader('x-forwarded-for'),
    path: req.getUrl(),
    method: req.getCaseSensitiveMethod(),
  };
}
