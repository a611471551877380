/**
 * A mosquitto of one test file's own (not test/services/mqtt, which stays anonymous and shared):
 * its config, password file and ACL in a temporary directory, on a free port. For the faults that
 * need a broker configured to refuse something: credentials, a topic, a packet size.
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../shared/free-port';

export interface PrivateMosquittoOptions {
  /** username → password; anonymous clients are refused. */
  users: Record<string, string>;
  /** mosquitto ACL file text (`user …`, `topic deny|read|write|readwrite …`). */
  acl: string;
  /** mosquitto `max_packet_size`: a client sending a larger packet is disconnected. */
  maxPacketSize: number;
}

const START_TIMEOUT_MS = 30_000;

export class PrivateMosquitto {
  private constructor(
    readonly broker: string,
    private readonly child: ChildProcess,
    private readonly dir: string,
    private output: string,
  ) {}

  /** Everything mosquitto logged so far. */
  get log(): string {
    return this.output;
  }

  static async start(options: PrivateMosquittoOptions): Promise<PrivateMosquitto> {
    const dir = mkdtempSync(join(tmpdir(), 'ft-mosquitto-'));
    const passwords = join(dir, 'passwords');
    writeFileSync(passwords, '');
    for (const [user, password] of Object.entries(options.users)) execFileSync('mosquitto_passwd', ['-b', passwords, user, password]);
    writeFileSync(join(dir, 'acl'), options.acl);
    const port = await freePort();
    writeFileSync(
      join(dir, 'mosquitto.conf'),
      [
        'per_listener_settings false',
        `listener ${port} 127.0.0.1`,
        'allow_anonymous false',
        `password_file ${passwords}`,
        `acl_file ${join(dir, 'acl')}`,
        `max_packet_size ${options.maxPacketSize}`,
        'persistence false',
        // Run as root (tests run as root): the files above stay readable without changing owners.
        'user root',
        'log_dest stderr',
        'log_type all',
        '',
      ].join('\n'),
    );
    const child = spawn('mosquitto', ['-c', join(dir, 'mosquitto.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
    const broker = new PrivateMosquitto(`127.0.0.1:${port}`, child, dir, '');
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => (broker.output += chunk));
    // mosquitto logs "running" once its listener is open.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`mosquitto did not start within ${START_TIMEOUT_MS} ms:\n${broker.output}`)),
        START_TIMEOUT_MS,
      );
      const check = () => {
        if (!/ running$/m.test(broker.output)) return;
        clearTimeout(timer);
        child.stderr?.off('data', check);
        resolve();
      };
      child.stderr?.on('data', check);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`mosquitto exited (code ${code}):\n${broker.output}`));
      });
    });
    return broker;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
      this.child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
