/**
 * The controller's side of the load generators: forks them (each its own process, so a saturated
 * generator shows as its own CPU, not the server's), sends each its plan, and runs commands on all
 * of them at once.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { withFdLimit } from '../server/fd-limit';
import type { ControllerEnvelope, ControllerMessage, GeneratorEnvelope, GeneratorMessage, GeneratorPlan } from './generator-protocol';

type Answer<T extends GeneratorMessage['type']> = Extract<GeneratorMessage, { type: T }>;

interface Pending {
  resolve: (m: GeneratorMessage) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

class GeneratorChild {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private exitError: Error | undefined;

  constructor(
    readonly index: number,
    private readonly child: ChildProcess,
  ) {
    child.on('message', ({ id, message }: GeneratorEnvelope) => {
      const p = this.pending.get(id);
      if (p === undefined) return;
      this.pending.delete(id);
      clearTimeout(p.timer);
      if (message.type === 'failed') p.reject(new Error(`generator ${index}: ${message.error}`));
      else p.resolve(message);
    });
    child.on('exit', (code, signal) => {
      this.exitError = new Error(`generator ${index} exited (code ${code}, signal ${signal})`);
      for (const p of this.pending.values()) {
        clearTimeout(p.timer);
        p.reject(this.exitError);
      }
      this.pending.clear();
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  request(message: ControllerMessage, timeoutMs: number): Promise<GeneratorMessage> {
    if (this.exitError !== undefined) return Promise.reject(this.exitError);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`generator ${this.index}: no answer to ${message.type} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.child.send({ id, message } satisfies ControllerEnvelope);
    });
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  exited(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => this.child.once('exit', () => resolve()));
  }
}

export class GeneratorPool {
  private constructor(private readonly children: GeneratorChild[]) {}

  /** Forks one process per plan and waits until each has built its frames and TLS contexts. */
  static async start(plans: GeneratorPlan[]): Promise<GeneratorPool> {
    const entry = join(__dirname, 'generator-process.js');
    const [execPath, execArgv] = withFdLimit(process.execPath, ['--max-old-space-size=4096']);
    const children = plans.map(
      (plan) =>
        new GeneratorChild(
          plan.index,
          fork(entry, [], {
            execPath,
            execArgv,
            stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
            // Profiling flags are meant for the server, not for the generators.
            env: { ...process.env, NODE_OPTIONS: '' },
          }),
        ),
    );
    const pool = new GeneratorPool(children);
    try {
      await Promise.all(children.map((c, i) => c.request({ type: 'setup', plan: plans[i] }, 120_000)));
    } catch (error) {
      await pool.stop();
      throw error;
    }
    return pool;
  }

  get size(): number {
    return this.children.length;
  }

  pids(): number[] {
    return this.children.map((c) => c.pid);
  }

  /** Sends `message` to generator `index` and returns its answer, which must be of type `expect`. */
  async one<T extends GeneratorMessage['type']>(
    index: number,
    message: ControllerMessage,
    expect: T,
    timeoutMs: number,
  ): Promise<Answer<T>> {
    const answer = await this.children[index].request(message, timeoutMs);
    if (answer.type !== expect) throw new Error(`generator ${index}: expected ${expect}, got ${answer.type}`);
    return answer as Answer<T>;
  }

  /** Sends `message` to every generator and returns their answers, which must be of type `expect`. */
  async all<T extends GeneratorMessage['type']>(message: ControllerMessage, expect: T, timeoutMs: number): Promise<Answer<T>[]> {
    const answers = await Promise.all(this.children.map((c) => c.request(message, timeoutMs)));
    return answers.map((a, i) => {
      if (a.type !== expect) throw new Error(`generator ${i}: expected ${expect}, got ${a.type}`);
      return a as Answer<T>;
    });
  }

  /** Closes the connections politely, then ends the processes. */
  async stop(): Promise<void> {
    await Promise.allSettled(this.children.map((c) => c.request({ type: 'close' }, 5_000)));
    for (const c of this.children) c.kill();
    await Promise.all(this.children.map((c) => c.exited()));
  }
}
