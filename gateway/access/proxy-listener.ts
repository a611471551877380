/**
 * The uWS side of trusted-proxy mTLS: one gate per listener (the main mTLS listener, and the plain
 * listener the proxy connects to) that reads a request's forwarded certificate
 * (forwarded-certificate.ts), and answers, counts and logs a refusal.
 */
import { readFileSync } from 'node:fs';
import type { HttpRequest, HttpResponse } from '@btc-vision/uwebsockets.js';
import type { GatewayConfig } from '../../config';
import { logError } from '../../shared/log';
import type { Logger } from '../../shared/log';
import type { Counter, Metrics } from '../../shared/metrics';
import type { Identity } from '../identity';
import type { ForwardedCertificateGate } from '../acceptor/vehicle-listener';
import { ForwardedCertificates } from './forwarded-certificate';

export interface ForwardedCertificateGates {
  main: ForwardedCertificateGate;
  /** Present when `trusted_proxy.port` is set. */
  proxy: ForwardedCertificateGate | undefined;
}

/** undefined when `trusted_proxy` is off: the listener then never looks at forwarded headers. */
export function forwardedCertificateGates(config: GatewayConfig, logger: Logger, metrics: Metrics): ForwardedCertificateGates | undefined {
  const proxy = config.trusted_proxy;
  if (proxy === null) return undefined;
  const certificates = new ForwardedCertificates({
    header: proxy.header,
    caPem: readFileSync(config.tls.ca_file, 'utf8'),
    sourceCidrs: proxy.source_cidrs,
  });
  const refused = metrics.counter('gateway_forwarded_certificate_refused_total', ['reason']);
  return {
    main: new Gate(false, certificates, refused, logger),
    proxy: proxy.port > 0 ? new Gate(true, certificates, refused, logger) : undefined,
  };
}

class Gate implements ForwardedCertificateGate {
  constructor(
    readonly proxyListener: boolean,
    private readonly certificates: ForwardedCertificates,
    private readonly refused: Counter<'reason'>,
    private readonly logger: Logger,
  ) {}

  identity(res: HttpResponse, req: HttpRequest, directCertificate: string): Identity | 'direct' | undefined {
    const remoteAddress = Buffer.from(res.getRemoteAddressAsText()).toString();
    const result = this.certificates.check({
      proxyListener: this.proxyListener,
      remoteAddress,
      directCertificate,
      header: (name) => req.getHeader(name),
    });
    if (result.kind === 'direct') return 'direct';
    if (result.kind === 'forwarded') return result.identity;
    this.refused.inc({ reason: result.reason });
    logError(this.logger, 'forwarded_certificate_refused', result.detail, {
      reason: result.reason,
      remote_address: remoteAddress,
      listener: this.proxyListener ? 'trusted_proxy' : 'main',
    });
    res.cork(() => res.writeStatus(result.status).writeHeader('Content-Type', 'text/plain; charset=utf-8').end(`${result.detail}\n`, true));
    return undefined;
  }
}
