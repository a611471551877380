/**
 * The main listener of a worker (PROTOCOL.md §2.1–2.4): a uWS SSLApp that requires a verified client
 * certificate, answers `/status`, and upgrades every other path to a WebSocket session.
 *
 * uWS refuses certificates from another CA during the handshake but lets clients without a
 * certificate through, so every route checks that one was presented (401 otherwise).
 *
 * With trusted-proxy mTLS a gate reads forwarded certificates, and the same routes also run on a
 * plain App: the listener a TLS-terminating proxy connects to.
 */
import type { HttpRequest, HttpResponse, TemplatedApp, us_listen_socket, WebSocket } from '@btc-vision/uwebsockets.js';
import { getClientCertificatePem, loadUws } from './uws-loader';
import { identityFromCertificate } from '../identity';
import type { Identity } from '../identity';
import { connectionIdFromHeader } from '../connection-id';
import { upgradeFailure, type UpgradeFailure } from './upgrade-checks';
import { reportError } from '../../shared/log';
import { headerText } from './header-text';
import type { Session } from '../session';

export interface UpgradeInfo {
  socketId: string;
  /** The `Version` header as UTF-8 text (header-text.ts); `clientVersionExact` false when its bytes are not UTF-8. */
  clientVersion: string;
  clientVersionExact: boolean;
  networkInterface: string;
  userAgent: string;
  forwardedFor: string;
  path: string;
  method: string;
}

/** What the upgrade learnt: used when the socket opens, then dropped. */
export interface UpgradeResult {
  identity: Identity;
  info: UpgradeInfo;
}

/**
 * uWS's user data of a vehicle socket (uWS copies its properties onto the socket object). All three
 * are set at the upgrade so every socket keeps one shape; an open session keeps nothing else.
 */
export interface ConnectionData {
  /** Set at the upgrade; the worker clears it once the socket opened. */
  upgrade: UpgradeResult | undefined;
  /** Set by the worker when the session opens. */
  session: Session | undefined;
  /** Set by the worker when uWS reports the socket closed: it must not be touched after. */
  closed: boolean;
}

export interface VehicleListenerHandlers {
  open(ws: WebSocket<ConnectionData>): void;
  message(ws: WebSocket<ConnectionData>, message: ArrayBuffer, isBinary: boolean): void;
  /** A ping, after uWS has queued its pong. */
  ping(ws: WebSocket<ConnectionData>, message: ArrayBuffer): void;
  close(ws: WebSocket<ConnectionData>, code: number): void;
  /** A connection closed before it was answered: TLS or the upgrade request never completed. */
  handshakeUnfinished(): void;
}

export interface TlsFiles {
  serverCert: string;
  serverKey: string;
  caFile: string;
}

/**
 * Trusted-proxy mTLS (gateway/access/proxy-listener.ts): the identity of a forwarded certificate,
 * 'direct' when the TLS client certificate decides, undefined once it answered a refusal.
 */
export interface ForwardedCertificateGate {
  /** true: the app is the plain listener the proxy connects to. */
  readonly proxyListener: boolean;
  identity(res: HttpResponse, req: HttpRequest, directCertificate: string): Identity | 'direct' | undefined;
}

/**
 * Outbound buffer per socket before uWS drops sends (the session then ends, `socket_err`). A session
 * sheds frames at its in-flight bound long before its replies could fill this.
 */
const MAX_BACKPRESSURE = 4 * 1024 * 1024;

/**
 * `maxMessageBytes` (gateway.max_websocket_message_bytes): messages far above the 1 MB rule still
 * reach the application, which answers them with ERROR (§2.4); uWS closes a connection whose message
 * exceeds it (DEVIATIONS.md D13), so no connection buffers more.
 */
export function createVehicleApp(
  tls: TlsFiles,
  handlers: VehicleListenerHandlers,
  maxMessageBytes: number,
  gate?: ForwardedCertificateGate,
): TemplatedApp {
  const uws = loadUws();
  const app = gate?.proxyListener
    ? uws.App()
    : uws.SSLApp({ cert_file_name: tls.serverCert, key_file_name: tls.serverKey, ca_file_name: tls.caFile });

  // uWS calls the filter with +1 when a TCP connection is accepted (before TLS) and -1 when a
  // connection that never became a WebSocket closes. One that closes having written no response
  // body was never answered (every answer of ours has a body): its TLS handshake or upgrade request
  // never completed, and uWS closed it at its idle deadline (~30 s), or the client left. Only the
  // socket's own data may be read at -1 (getX509Certificate there crashes: the TLS state is gone).
  app.filter((res, count) => {
    if (Number(count) < 0 && res.getWriteOffset() === 0) handlers.handshakeUnfinished();
  });

  app.any('/status', (res, req) => {
    if (clientIdentity(res, req, gate) === undefined) return;
    res.cork(() => res.writeStatus('200 OK').writeHeader('Content-Type', 'text/plain; charset=utf-8').end('mtls ok'));
  });

  app.ws<ConnectionData>('/*', {
    compression: uws.DISABLED,
    maxPayloadLength: maxMessageBytes,
    maxBackpressure: MAX_BACKPRESSURE,
    closeOnBackpressureLimit: false,
    idleTimeout: 0, // upstream has no idle timeout and never pings
    sendPingsAutomatically: false,
    upgrade: (res, req, context) => {
      const identity = clientIdentity(res, req, gate);
      if (identity === undefined) return;
      const failure = upgradeFailure(req);
      if (failure !== undefined) {
        reportUpgradeFailure(res, req, failure);
        res.cork(() =>
          res
            .writeStatus(failure.status)
            .writeHeader('Sec-Websocket-Version', '13')
            .writeHeader('Content-Type', 'text/plain; charset=utf-8')
            .end(failure.body),
        );
        return;
      }
      const data: ConnectionData = { upgrade: { identity, info: readUpgradeInfo(req) }, session: undefined, closed: false };
      // No subprotocol and no extension is ever negotiated (§2.4).
      res.upgrade(data, req.getHeader('sec-websocket-key'), '', '', context);
    },
    open: handlers.open,
    message: handlers.message,
    ping: handlers.ping,
    close: handlers.close,
  });

  // Requests that are not WebSocket upgrades get upstream's upgrade-failure answers (§2.3).
  app.any('/*', (res, req) => {
    if (clientIdentity(res, req, gate) === undefined) return;
    const failure = upgradeFailure(req) ?? { status: '400 Bad Request', body: 'Bad Request\n' };
    reportUpgradeFailure(res, req, failure);
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

/** The client's identity (a forwarded certificate where the gate takes one), or undefined once refused. */
function clientIdentity(res: HttpResponse, req: HttpRequest, gate: ForwardedCertificateGate | undefined): Identity | undefined {
  const certificate = gate?.proxyListener ? '' : getClientCertificatePem(res);
  const forwarded = gate === undefined ? 'direct' : gate.identity(res, req, certificate);
  if (forwarded !== 'direct') return forwarded;
  if (refuseWithoutCertificate(res, certificate)) return undefined;
  return identityFromCertificate(certificate);
}

function refuseWithoutCertificate(res: HttpResponse, certificate: string): boolean {
  if (certificate !== '') return false;
  res.cork(() =>
    res.writeStatus('401 Unauthorized').writeHeader('Content-Type', 'text/plain; charset=utf-8').end('client certificate required\n', true),
  );
  return true;
}

/** Upstream reports every upgrade failure to Airbrake with the request (§2.3) but logs none of these. */
function reportUpgradeFailure(res: HttpResponse, req: HttpRequest, failure: UpgradeFailure): void {
  reportError('websocket_upgrade_error', `websocket upgrade failed: ${failure.status}`, {
    method: req.getCaseSensitiveMethod(),
    path: req.getUrl(),
    remote_address: Buffer.from(res.getRemoteAddressAsText()).toString(),
  });
}

function readUpgradeInfo(req: HttpRequest): UpgradeInfo {
  const version = headerText(req.getHeader('version'));
  return {
    socketId: connectionIdFromHeader(req.getHeader('x-txid') || undefined),
    clientVersion: version.text,
    clientVersionExact: version.exact,
    networkInterface: req.getHeader('x-network-interface'),
    userAgent: req.getHeader('user-agent'),
    forwardedFor: req.getHeader('x-forwarded-for'),
    path: req.getUrl(),
    method: req.getCaseSensitiveMethod(),
  };
}
