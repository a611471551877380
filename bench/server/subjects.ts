/**
 * The servers a scenario measures: our gateway (started with a config written for the run), the
 * ceiling, or any server that speaks the protocol (--target instead of ours, --compare beside it). Each reports the exact config it ran.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../shared/package-root';
import { COMPARE_OPTION_NAMES, TARGET_OPTION_NAMES } from '../scenarios/bench-options';
import type { BenchOptions, ServerOptionNames, TargetOptions } from '../scenarios/bench-options';
import type { BenchPki } from '../load/client-identities';
import { checkServerOptions, probeServer } from './remote-server';
import type { ClientIdentity } from '../load/generator-protocol';
import { freePort } from '../../shared/free-port';
import { LocalServer } from './local-server';

export interface Subject {
  label: string;
  host: string;
  port: number;
  caFile: string;
  identities: ClientIdentity[];
  /** Root processes whose trees are measured ([] when unknown). */
  pids(): number[];
  config: Record<string, unknown>;
  /** Where its CPU profiles go (gateway with --profile). */
  profileDir?: string;
  stop(): Promise<void>;
}

export interface GatewayVariant {
  label: string;
  /** Config keys merged over the bench defaults (records, sink blocks, reliable_ack_sources…). */
  config?: Record<string, unknown>;
  env?: Record<string, string>;
}

export async function startGateway(o: BenchOptions, pki: BenchPki, variant: GatewayVariant = { label: 'gateway' }): Promise<Subject> {
  const port = await freePort();
  const config: Record<string, unknown> = {
    host: '127.0.0.1',
    port,
    log_level: 'info',
    json_log_enable: true,
    namespace: 'bench',
    records: { V: ['logger'], alerts: ['logger'], errors: ['logger'], connectivity: ['logger'] },
    tls: { server_cert: pki.serverCert, server_key: pki.serverKey, ca_file: pki.caCert },
    gateway: { workers: o.workers, dispatch_threads: o.dispatchThreads, drain_timeout_ms: 5000 },
    ...variant.config,
  };
  const dir = mkdtempSync(join(tmpdir(), 'ft-bench-'));
  const configPath = join(dir, 'config.json');
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  let profileDir: string | undefined;
  const nodeArgs: string[] = [];
  if (o.profile) {
    profileDir = join(packageRoot(), 'bench', 'results', `profiles-${variant.label.replace(/[^\w.-]+/g, '_')}-${Date.now()}`);
    mkdirSync(profileDir, { recursive: true });
    nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${profileDir}`);
  }
  const server = await LocalServer.start({
    label: variant.label,
    script: join(packageRoot(), 'dist', 'gateway', 'cli.js'),
    args: [`-config=${configPath}`],
    port,
    // A variant may run fewer workers (zmq: one socket binds the address).
    listeners: (config.gateway as { workers: number }).workers,
    logFile: o.serverLog,
    env: variant.env,
    nodeArgs,
  });
  return { ...localSubject(variant.label, port, pki, server, config), profileDir };
}

export async function startCeiling(o: BenchOptions, pki: BenchPki): Promise<Subject> {
  const port = await freePort();
  const config = { port, workers: o.workers, cert: pki.serverCert, key: pki.serverKey, ca: pki.caCert };
  const server = await LocalServer.start({
    label: 'ceiling',
    script: join(packageRoot(), 'dist', 'bench', 'ceiling', 'ceiling-server.js'),
    args: ['--port', String(port), '--workers', String(o.workers), '--cert', pki.serverCert, '--key', pki.serverKey, '--ca', pki.caCert],
    port,
    listeners: o.workers,
    logFile: o.serverLog,
  });
  return localSubject('ceiling', port, pki, server, config);
}

/** A server this bench started on loopback, with the bench's certificates. */
function localSubject(label: string, port: number, pki: BenchPki, server: LocalServer, config: Record<string, unknown>): Subject {
  return {
    label,
    host: '127.0.0.1',
    port,
    caFile: pki.caCert,
    identities: pki.identities,
    pids: () => [server.pid],
    config,
    stop: () => server.stop(),
  };
}

/** The server under test: --target if given, else our gateway. */
export async function startSubject(o: BenchOptions, pki: BenchPki, variant?: GatewayVariant): Promise<Subject> {
  if (o.target === undefined) return startGateway(o, pki, variant);
  return remoteSubject(`target ${o.target.host}:${o.target.port}`, o.target, TARGET_OPTION_NAMES);
}

/** The server measured beside ours (--compare), or undefined; checked and probed before any load. */
export async function startCompared(o: BenchOptions): Promise<Subject | undefined> {
  if (o.compare === undefined) return undefined;
  return remoteSubject(`compared ${o.compare.host}:${o.compare.port}`, o.compare, COMPARE_OPTION_NAMES);
}

/** A server started by someone else: its options checked, one record ACKed, nothing to stop. */
async function remoteSubject(label: string, t: TargetOptions, names: ServerOptionNames): Promise<Subject> {
  const identities = checkServerOptions(t, names);
  await probeServer(t, names, identities[0]);
  return {
    label,
    host: t.host,
    port: t.port,
    caFile: t.caFile,
    identities,
    pids: () => (t.pid === undefined ? [] : [t.pid]),
    config: { address: `${t.host}:${t.port}`, ca: t.caFile, certs: t.certsDir, pid: t.pid ?? null },
    stop: async () => undefined,
  };
}
