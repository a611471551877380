/**
 * Runs the built gateway (dist/gateway/cli.js) as a real process tree with a config written for the
 * test, collects its JSON log lines, and connects simulated vehicles to it.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDevPki } from '../../shared/pki';
import type { DevPkiPaths } from '../../shared/pki';
import { packageRoot } from '../../shared/package-root';
import { VehicleConnection } from '../../bench/vehicle/vehicle-client';

export const TEST_VINS = ['5YJ3E1EA7KF100001', '5YJ3E1EA7KF100002', '5YJ3E1EA7KF100003', 'LRW3E7EK4NC100004'];

/** Gateways still running when the test process exits (a failed or force-exited run) are killed. */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export type LogLine = Record<string, unknown> & { msg: string; pid?: number };

/** One development PKI for all test files, generated once and cached in the ignored .cache folder. */
export function testPki(): Promise<DevPkiPaths> {
  return ensureDevPki(join(packageRoot(), '.cache', 'test-pki'), TEST_VINS);
}

export interface GatewayOptions {
  /** Config keys merged over the defaults (logger sink for every record type, JSON logs). */
  config?: Record<string, unknown>;
  workers?: number;
  dispatchThreads?: number;
  env?: Record<string, string>;
}

export class GatewayProcess {
  readonly logs: LogLine[] = [];
  /** stderr lines that are not JSON log lines (a stack trace, an unhandled error). */
  readonly otherStderr: string[] = [];
  private readonly logWaiters: { predicate: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];
  readonly exited: Promise<number | null>;
  private stderrTail = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly pki: DevPkiPaths,
    readonly configPath: string,
  ) {
    let partial = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-4000);
      partial += chunk;
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) this.consume(line);
    });
    // 'close' (not 'exit') so every log line has been read when it resolves.
    this.exited = new Promise((resolve) => child.on('close', (code) => resolve(code)));
  }

  static async start(options: GatewayOptions = {}): Promise<GatewayProcess> {
    const gateway = await GatewayProcess.launch(options);
    const listening = gateway.waitForLog((l) => l.msg === 'server_listening', 30_000);
    const failed = gateway.exited.then((code) => {
      throw new Error(`gateway exited with ${code} before listening:\n${gateway.stderrTail}`);
    });
    await Promise.race([listening, failed]);
    return gateway;
  }

  /** Spawns the gateway and returns at once, without waiting for it to listen. */
  static async launch(options: GatewayOptions = {}): Promise<GatewayProcess> {
    const pki = await testPki();
    const dir = mkdtempSync(join(tmpdir(), 'ft-gateway-'));
    const config = {
      host: '127.0.0.1',
      port: 0,
      log_level: 'info',
      json_log_enable: true,
      namespace: 'test',
      records: { V: ['logger'], alerts: ['logger'], errors: ['logger'], connectivity: ['logger'] },
      tls: { server_cert: pki.serverCert, server_key: pki.serverKey, ca_file: pki.caCert },
      gateway: { workers: options.workers ?? 1, dispatch_threads: options.dispatchThreads ?? 1 },
      ...options.config,
    };
    const configPath = join(dir, 'config.json');
    writeFileSync(configPath, JSON.stringify(config));
    const child = spawn(process.execPath, [join(packageRoot(), 'dist', 'gateway', 'cli.js'), `-config=${configPath}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...options.env },
    });
    running.add(child);
    child.on('exit', () => running.delete(child));
    return new GatewayProcess(child, pki, configPath);
  }

  get port(): number {
    const line = this.logs.find((l) => l.msg === 'server_listening');
    return Number(line?.port);
  }

  get url(): string {
    return `wss://127.0.0.1:${this.port}/`;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Resolves with the first log line (already seen or future) matching the predicate. */
  waitForLog(predicate: (l: LogLine) => boolean, timeoutMs = 15_000): Promise<LogLine> {
    const seen = this.logs.find(predicate);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no matching log line within ${timeoutMs} ms; last output:\n${this.stderrTail}`)),
        timeoutMs,
      );
      this.logWaiters.push({
        predicate,
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
      });
    });
  }

  /** Connects a vehicle with its certificate from the test PKI. */
  vehicle(vin: string, headers?: Record<string, string>): Promise<VehicleConnection> {
    const cert = this.pki.vehicles[vin];
    if (cert === undefined) throw new Error(`no test certificate for ${vin}`);
    return VehicleConnection.connect({
      url: this.url,
      ca: readFileSync(this.pki.caCert),
      cert: readFileSync(cert.cert),
      key: readFileSync(cert.key),
      headers,
    });
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  async stop(): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    return this.exited;
  }

  private consume(line: string): void {
    let parsed: LogLine;
    try {
      parsed = JSON.parse(line) as LogLine;
    } catch {
      if (line !== '') this.otherStderr.push(line);
      return;
    }
    this.logs.push(parsed);
    for (let i = this.logWaiters.length - 1; i >= 0; i--) {
      if (this.logWaiters[i].predicate(parsed)) {
        this.logWaiters[i].resolve(parsed);
        this.logWaiters.splice(i, 1);
      }
    }
  }
}
