/** Error reporting to Airbrake / Errbit (PROTOCOL.md §11.7), one notifier per process: every error
 * log line of a reported kind (sink errors of every dispatcher, worker crashes seen by the primary),
 * WebSocket upgrade failures (`reportError`), and what the dispatch lanes forward (lane-errors),
 * at most ERRORS_PER_SECOND per kind. */
import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { GatewayConfig } from '../../config';
import { activity, ErrorBudget, isReportedKind, observeErrors, type Logger } from '../../shared/log';
import { threadMetrics } from '../../shared/metrics';
import { packageRoot } from '../../shared/package-root';
import { buildNotice, type NoticeSource } from './notice';
import { AirbrakeNotifier } from './notifier';

/** Per kind, per process (and per dispatch lane before that). */
export const ERRORS_PER_SECOND = 5;
export const PROJECT_KEY_VARIABLE = 'AIRBRAKE_PROJECT_KEY';
/** Airbrake's own service, when `airbrake.host` is empty (as upstream's notifier). */
export const DEFAULT_HOST = 'https://api.airbrake.io';

/** Installs this process's notifier when the `airbrake` block is present; the primary also logs
 * `airbrake_configured` (§11.7). Never waits on the server. */
export function startAirbrake(config: GatewayConfig, logger: Logger, env: NodeJS.ProcessEnv = process.env): AirbrakeNotifier | undefined {
  const block = config.airbrake;
  if (block === null) return undefined;
  const metrics = threadMetrics();
  const dropped = metrics.counter('gateway_airbrake_dropped_total', ['reason']);
  const notifier = new AirbrakeNotifier({
    host: block.host || DEFAULT_HOST,
    projectId: block.project_id,
    // config/ already applied AIRBRAKE_PROJECT_KEY over the file's value (whenever set, even empty).
    projectKey: block.project_key,
    tls: clientTls(block.tls),
    notices: metrics.counter('gateway_airbrake_notices_total', ['outcome']),
    dropped,
  });
  if (cluster.isPrimary) {
    const fromEnv = env[PROJECT_KEY_VARIABLE] !== undefined;
    activity(
      logger,
      'airbrake_configured',
      fromEnv ? { source: 'environment_variable', env_key: PROJECT_KEY_VARIABLE } : { source: 'config_file' },
    );
  }
  const source: NoticeSource = {
    environment: block.environment,
    hostname: hostname(),
    version: gatewayVersion(),
    component: cluster.isPrimary ? 'primary' : `worker ${cluster.worker?.id ?? '?'}`,
    pid: process.pid,
  };
  const budget = new ErrorBudget(ERRORS_PER_SECOND);
  observeErrors((kind, error, fields) => {
    if (!isReportedKind(kind)) return;
    if (!budget.take(kind)) dropped.inc({ reason: 'rate_limited' });
    else notifier.notify(buildNotice(kind, error, fields, source));
  });
  return notifier;
}

/** airbrake.tls: each file that is set is read at startup (a bad path fails the start, naming it). */
function clientTls(tls: { ca_file: string; server_cert: string; server_key: string }): { ca?: string; cert?: string; key?: string } {
  const read = (key: string, path: string): string => {
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      throw new Error(`config key "airbrake.tls.${key}": cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  return {
    ...(tls.ca_file !== '' ? { ca: read('ca_file', tls.ca_file) } : {}),
    ...(tls.server_cert !== '' ? { cert: read('server_cert', tls.server_cert) } : {}),
    ...(tls.server_key !== '' ? { key: read('server_key', tls.server_key) } : {}),
  };
}

let version: string | undefined;
function gatewayVersion(): string {
  version ??= String((JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: unknown }).version);
  return version;
}

export { AirbrakeNotifier } from './notifier';
export { buildNotice } from './notice';
