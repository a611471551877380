#!/usr/bin/env node
/**
 * `fleet-telemetry -config=/path/config.json`: drop-in for the reference server's command line
 * (PROTOCOL.md §12.1). `--dev` runs on the embedded development default instead.
 */
// First: from here on a signal never kills a starting gateway (stop-signals.ts).
import { handleSignals } from './stop-signals';
import cluster from 'node:cluster';
import { writeSync } from 'node:fs';
import { CLI_USAGE, ConfigError, loadConfig, parseCliArgs } from '../config';
import { activity, createLogger, logError } from '../shared/log';
import { SINKS } from '../dispatch-workers/sinks/registry';
import { WORKER_CONFIG_ENV, WORKER_PORT_ENV } from './cluster-messages';
import type { GatewayConfig } from '../config';
import { runPrimary } from './primary';
import { runWorker } from './worker';
import { prepareDevEnvironment } from './dev-environment';
import { checkTlsFiles } from './tls-files';
import { runSubcommand, SUBCOMMANDS_USAGE } from './commands';
import { startAirbrake } from './airbrake';
import { PortInUseError } from './port-check';

async function primary(): Promise<void> {
  const exitCode = await runSubcommand(process.argv.slice(2));
  if (exitCode !== undefined) {
    process.exitCode = exitCode;
    return;
  }
  const args = parseCliArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(`${CLI_USAGE}\n\n${SUBCOMMANDS_USAGE}\n`);
    return;
  }
  // Stopped before any worker exists: nothing to drain. A reload before the start is moot.
  handleSignals((signal) => {
    if (signal !== 'SIGHUP') process.exit(0);
  });
  const dev = args.dev ? await prepareDevEnvironment() : undefined;
  const configPath = dev?.configPath ?? args.configPath;
  const load = () =>
    loadConfig({
      path: configPath,
      env: process.env,
      sinkBlocks: SINKS.flatMap((s) => (s.configBlock ? [s.configBlock] : [])),
      knownSinks: SINKS.map((s) => s.name),
    });
  const config = load();
  const logger = createLogger({ json: config.json_log_enable, level: config.log_level, base: { pid: process.pid } });
  for (const warning of config.warnings) logError(logger, warning.msg, warning.error, warning.fields ?? {});
  checkTlsFiles(config.tls, logger);
  startAirbrake(config, logger);
  const reloadConfig = () => {
    const next = load();
    for (const warning of next.warnings) logError(logger, warning.msg, warning.error, warning.fields ?? {});
    checkTlsFiles(next.tls, logger);
    return next;
  };
  const { port, ready } = await runPrimary(config, logger, { reloadConfig, configPath });
  await ready;
  activity(logger, 'server_listening', { host: config.host || '0.0.0.0', port, workers: config.workerCount });
  if (dev !== undefined) tellOperator(dev.instructions(port));
}

/** Text for the terminal: a stderr that cannot take it (a full disk) must not stop a running gateway. */
function tellOperator(text: string): void {
  try {
    // Synchronous, so a failure is this call's exception, not an 'error' event that ends the process.
    writeSync(2, text);
  } catch {
    // The logger reports failed writes once they succeed again (shared/log/log-write-failures.ts).
  }
}

if (cluster.isPrimary) {
  primary().catch((error: unknown) => {
    const message = error instanceof ConfigError || error instanceof Error ? error.message : String(error);
    // Upstream prints config failures as `error=load_service_config value="<error>"` (§12.1).
    const what = error instanceof PortInUseError ? 'listen' : 'load_service_config';
    process.stderr.write(`error=${what} value=${JSON.stringify(message)}\n`);
    process.exit(1);
  });
} else {
  const config = JSON.parse(process.env[WORKER_CONFIG_ENV] ?? '{}') as GatewayConfig;
  runWorker(config, Number(process.env[WORKER_PORT_ENV])).catch((error: unknown) => {
    process.stderr.write(`worker ${process.pid} failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
