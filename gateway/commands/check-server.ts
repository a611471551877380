/** `fleet-telemetry check-server`: check a running server as a vehicle sees it (server-probe.ts), and
 * with a client certificate, whether the WebSocket upgrade succeeds and which identity the server
 * derives from that certificate (PROTOCOL.md §3). */
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import WebSocket from 'ws';
import { identityFromCertificate, type Identity } from '../identity';
import { hasErrors, lastValue, parseFlags, printJson, UsageError } from './command-line';
import type { CommandIo, Finding, Subcommand } from './command-line';
import { probeServer, type ProbeResult, type ProbeTarget } from './server-probe';

const HELP = `Usage:
  fleet-telemetry check-server VEHICLE_CONFIG.json [--cert FILE --key FILE] [--address A] [--json]
  fleet-telemetry check-server HOST[:PORT] --ca FILE [--cert FILE --key FILE] [--address A] [--json]
  fleet-telemetry check-server --host H [--port P] --ca FILE [--cert FILE --key FILE] [--address A] [--json]

Connects as a vehicle would (TLS, SNI = hostname) and reports the chain the server presents,
whether it verifies against the configuration's CA (to a root: full chain; only to an intermediate
of that CA: partial chain), whether the hostname is in the certificate's SAN, and the days until
each certificate expires (a warning under 30). With a vehicle's client certificate it also tries the
WebSocket upgrade and prints the identity the server derives from that certificate. Exits 1 on any
error.

  --host H         server name (instead of a vehicle configuration's "hostname")
  --port P         server port (default: the configuration's "port", else 443)
  --ca FILE        PEM CA file (instead of the configuration's "ca")
  --address A      dial this address instead of resolving the hostname (SNI stays the hostname)
  --cert, --key    a vehicle's client certificate and key, to try the WebSocket upgrade
  --timeout-ms N   connect and handshake timeout (default 10000)
  --json           the report as JSON

Example:
  fleet-telemetry check-server vehicle-config.json --cert vehicle.crt --key vehicle.key`;

export interface UpgradeResult {
  ok: boolean;
  status: number | null;
  error: string | null;
  identity: Identity;
}

export const checkServerCommand: Subcommand = {
  name: 'check-server',
  summary: "check a running server's certificate (and upgrade) as a vehicle would",
  help: HELP,
  async run(argv, io) {
    const flags = parseFlags(argv, ['host', 'port', 'ca', 'address', 'cert', 'key', 'timeout-ms'], ['json']);
    if (flags.booleans.has('help')) {
      io.out(`${HELP}\n`);
      return 0;
    }
    if (flags.positional.length > 1) throw new UsageError(`unexpected argument: ${flags.positional[1]}`);
    const target = targetOf(flags.positional[0], (name) => lastValue(flags, name));
    const cert = lastValue(flags, 'cert');
    const key = lastValue(flags, 'key');
    if ((cert === undefined) !== (key === undefined)) throw new UsageError('--cert and --key go together');

    let probe: ProbeResult;
    try {
      probe = await probeServer(target);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return report(io, flags.booleans.has('json'), target, { findings: [{ level: 'error', key: 'connect', message }] });
    }
    const findings = [...probe.findings];
    let upgrade: UpgradeResult | undefined;
    if (cert !== undefined && key !== undefined) {
      upgrade = await tryUpgrade(target, readFileSync(cert, 'utf8'), readFileSync(key, 'utf8'));
      if (!upgrade.ok)
        findings.push({ level: 'error', key: 'websocket', message: `upgrade failed: ${upgrade.error ?? `HTTP ${upgrade.status}`}` });
      if (!upgrade.identity.ok) findings.push({ level: 'error', key: 'cert', message: upgrade.identity.error });
    }
    return report(io, flags.booleans.has('json'), target, { ...probe, findings, websocket: upgrade ?? null });
  },
};

function targetOf(positional: string | undefined, flag: (name: string) => string | undefined): ProbeTarget {
  const timeoutMs = Number(flag('timeout-ms') ?? 10_000);
  const address = flag('address');
  let fromFile: { hostname?: unknown; port?: unknown; ca?: unknown } = {};
  if (positional !== undefined && existsSync(positional)) fromFile = JSON.parse(readFileSync(positional, 'utf8')) as typeof fromFile;
  else if (positional !== undefined) fromFile = hostAndPort(positional);
  const hostname = flag('host') ?? (typeof fromFile.hostname === 'string' ? fromFile.hostname : undefined);
  const caFile = flag('ca');
  const caPem = caFile !== undefined ? readFileSync(caFile, 'utf8') : typeof fromFile.ca === 'string' ? fromFile.ca : undefined;
  if (hostname === undefined || caPem === undefined)
    throw new UsageError('give a vehicle configuration file, or --host and --ca (see --help)');
  const port = Number(flag('port') ?? (typeof fromFile.port === 'number' ? fromFile.port : 443));
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`invalid port: ${flag('port') ?? String(fromFile.port)}`);
  return { hostname, port, caPem, timeoutMs, ...(address !== undefined ? { address } : {}) };
}

/** `telemetry.example.com`, `telemetry.example.com:4443`, `[2001:db8::1]:443`. */
function hostAndPort(text: string): { hostname: string; port?: number } {
  const match = /^(?:\[([^\]]+)\]|([^:/]+))(?::(\d+))?$/.exec(text);
  if (match === null) throw new UsageError(`${text}: neither a vehicle configuration file nor HOST[:PORT]`);
  const hostname = (match[1] ?? match[2]) as string;
  return match[3] === undefined ? { hostname } : { hostname, port: Number(match[3]) };
}

function tryUpgrade(target: ProbeTarget, certPem: string, keyPem: string): Promise<UpgradeResult> {
  const identity = identityFromCertificate(certPem);
  const host = target.address ?? target.hostname;
  const url = `wss://${isIP(host) === 6 ? `[${host}]` : host}:${target.port}/`;
  return new Promise((resolve) => {
    // ws hands `servername` on to tls.connect (its types omit it): SNI stays the hostname when dialling an address.
    const options: WebSocket.ClientOptions & { servername?: string } = {
      ca: target.caPem,
      cert: certPem,
      key: keyPem,
      servername: isIP(target.hostname) === 0 ? target.hostname : undefined,
      rejectUnauthorized: false, // the chain was judged above; this checks the upgrade alone
      handshakeTimeout: target.timeoutMs,
    };
    const socket = new WebSocket(url, options);
    const done = (result: Omit<UpgradeResult, 'identity'>): void => {
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.terminate();
      resolve({ ...result, identity });
    };
    socket.once('open', () => done({ ok: true, status: 101, error: null }));
    socket.once('unexpected-response', (_request, response) => done({ ok: false, status: response.statusCode ?? null, error: null }));
    socket.once('error', (error) => done({ ok: false, status: null, error: error.message }));
  });
}

interface Report extends Partial<ProbeResult> {
  findings: Finding[];
  websocket?: UpgradeResult | null;
}

function report(io: CommandIo, json: boolean, target: ProbeTarget, r: Report): number {
  const ok = !hasErrors(r.findings);
  if (json) {
    printJson(io, { ok, host: target.hostname, port: target.port, ...r });
    return ok ? 0 : 1;
  }
  const lines = [`${target.hostname}:${target.port}`];
  if (r.chain !== undefined) {
    lines.push('  chain presented (leaf first):');
    r.chain.forEach((c, i) =>
      lines.push(
        `    ${i}. ${c.subject}  (issuer ${c.issuer}; expires ${c.not_after}, ${c.days_left} days${c.in_ca ? '; in the CA' : ''})`,
      ),
    );
    lines.push(
      `  verifies against the CA: ${r.verification === 'full' ? 'yes, full chain' : r.verification === 'partial' ? 'partial chain only' : 'no'}`,
    );
    lines.push(`  hostname in SAN: ${r.hostname_in_san === true ? 'yes' : 'no'} (${r.san ?? 'no SAN'})`);
  }
  if (r.websocket) {
    const w = r.websocket;
    lines.push(`  WebSocket upgrade: ${w.ok ? 'ok' : `failed (${w.error ?? `HTTP ${w.status}`})`}`);
    lines.push(
      `  identity: ${w.identity.ok ? `${w.identity.senderId} (client type ${w.identity.clientType}, device id ${w.identity.deviceId})` : w.identity.error}`,
    );
  }
  for (const f of r.findings) lines.push(`${f.level}: ${f.key}: ${f.message}`);
  lines.push(ok ? 'ok' : 'failed');
  io.out(`${lines.join('\n')}\n`);
  return ok ? 0 : 1;
}
