/** `fleet-telemetry check -config=FILE`: load and validate the server config exactly as startup does
 * (config/ loader and its startup checks, then the TLS file checks), without opening a port or
 * connecting to a broker; print what the gateway would do with it. */
import { ConfigError, loadConfig, type GatewayConfig } from '../../config';
import { SINKS } from '../../dispatch-workers/sinks/registry';
import { createLogger } from '../../shared/log';
import { checkTlsFiles } from '../tls-files';
import { lastValue, parseFlags, printJson, UsageError } from './command-line';
import type { CommandIo, Subcommand } from './command-line';

const HELP = `Usage: fleet-telemetry check [-config FILE] [--json]

Loads and validates the server config exactly as startup does — every key, the TLS files readable,
certificate and key matching, the CA bundle parsing, the sinks' blocks, reliable_ack_sources
consistent with records — without opening ports or connecting to brokers. Exits 0 with a summary
(what listens where, which record types go to which sinks, which are reliable), 1 with the error.
Environment variables apply as at startup. Keys that have no effect are listed as warnings.

  -config FILE   config file (default "config.json"); also -config=FILE, --config FILE
  --json         the summary or the error as JSON

Example (Helm init step, CI before a rollout):
  fleet-telemetry check -config=/etc/fleet-telemetry/config.json`;

export interface ConfigSummary {
  ok: true;
  config: string;
  listen: { host: string; port: number };
  workers: number;
  dispatch_threads: number;
  status_port: number | null;
  metrics: string | null;
  records: Record<string, { sinks: readonly string[]; reliable: string | null }>;
  warnings: Array<{ key: string; message: string }>;
}

export const checkConfigCommand: Subcommand = {
  name: 'check',
  summary: 'validate a server config as startup does, without starting',
  help: HELP,
  async run(argv, io) {
    const flags = parseFlags(argv, ['config'], ['json']);
    if (flags.booleans.has('help')) {
      io.out(`${HELP}\n`);
      return 0;
    }
    if (flags.positional.length > 0)
      throw new UsageError(`unexpected argument: ${flags.positional[0]} (did you mean -config ${flags.positional[0]}?)`);
    const path = lastValue(flags, 'config') ?? 'config.json';
    const json = flags.booleans.has('json');
    let summary: ConfigSummary;
    try {
      summary = checkConfigFile(path, process.env);
    } catch (error) {
      const key = error instanceof ConfigError ? (error.key ?? null) : null;
      const message = error instanceof Error ? error.message : String(error);
      if (json) printJson(io, { ok: false, config: path, error: { key, message } });
      else io.out(`${path}: error${key === null ? '' : ` in ${key}`}: ${message}\n`);
      return 1;
    }
    if (json) printJson(io, summary);
    else printSummary(io, summary);
    return 0;
  },
};

/** Throws what startup would throw. */
export function checkConfigFile(path: string, env: NodeJS.ProcessEnv): ConfigSummary {
  const config = loadConfig({
    path,
    env,
    sinkBlocks: SINKS.flatMap((s) => (s.configBlock ? [s.configBlock] : [])),
    knownSinks: SINKS.map((s) => s.name),
  });
  checkTlsFiles(config.tls, createLogger({ json: true, level: 'silent' }));
  return summarize(config);
}

function summarize(config: GatewayConfig): ConfigSummary {
  const records: ConfigSummary['records'] = {};
  for (const [recordType, sinks] of Object.entries(config.records))
    records[recordType] = { sinks, reliable: config.reliable_ack_sources[recordType] ?? null };
  return {
    ok: true,
    config: config.source,
    listen: { host: config.host || '0.0.0.0', port: config.port },
    workers: config.workerCount,
    dispatch_threads: config.gateway.dispatch_threads,
    status_port: config.status_port > 0 ? config.status_port : null,
    metrics: metricsText(config),
    records,
    warnings: config.warnings.map((w) => ({ key: String(w.fields.key ?? w.msg), message: w.error })),
  };
}

function metricsText(config: GatewayConfig): string | null {
  const m = config.monitoring;
  if (m === null) return null;
  if (m.prometheus_metrics_port > 0) return `prometheus http://${m.prometheus_metrics_host}:${m.prometheus_metrics_port}/metrics`;
  if (m.statsd !== null && m.statsd.host !== '') return `statsd udp://${m.statsd.host}`;
  return null;
}

function printSummary(io: CommandIo, s: ConfigSummary): void {
  const lines = [
    `${s.config}: ok`,
    `  listen    wss://${s.listen.host}:${s.listen.port} (${s.workers} worker${s.workers === 1 ? '' : 's'} × ${s.dispatch_threads} dispatch lane${s.dispatch_threads === 1 ? '' : 's'})`,
    `  status    ${s.status_port === null ? 'off' : `http://0.0.0.0:${s.status_port}/status`}`,
    `  metrics   ${s.metrics ?? 'off'}`,
    '  records',
  ];
  const width = Math.max(0, ...Object.keys(s.records).map((t) => t.length));
  for (const [recordType, r] of Object.entries(s.records)) {
    const reliable = r.reliable === null ? 'ACK when every sink accepted' : `ACK after ${r.reliable} confirms delivery`;
    lines.push(`    ${recordType.padEnd(width)}  → ${r.sinks.join(', ')}  (${reliable})`);
  }
  if (Object.keys(s.records).length === 0) lines.push('    (none: every record is answered and dropped)');
  for (const w of s.warnings) lines.push(`warning: ${w.key}: ${w.message}`);
  io.out(`${lines.join('\n')}\n`);
}
