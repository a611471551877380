/** A test consumer that reads whole topics from the real broker and waits on what arrives. */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface ReadMessage {
  topic: string;
  partition: number;
  offset: number;
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

type Line = Omit<ReadMessage, 'value'> & { value: string; ready?: boolean };

export class KafkaReader {
  readonly messages: ReadMessage[] = [];
  private waiters: { predicate: () => boolean; resolve: () => void }[] = [];

  private constructor(private readonly child: ChildProcess) {}

  /** The consumer runs in a child process (kafka-reader-child.js); it prints one JSON line per message. */
  static open(brokers: string, topics: string[]): Promise<KafkaReader> {
    const child = spawn(process.execPath, [join(__dirname, 'kafka-reader-child.js'), brokers, topics.join(',')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const reader = new KafkaReader(child);
    return new Promise((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`kafka reader exited with ${code} before it was ready`)));
      createInterface({ input: child.stdout! }).on('line', (text) => {
        const line = JSON.parse(text) as Line;
        if (line.ready) resolve(reader);
        else reader.add({ ...line, value: Buffer.from(line.value, 'base64') });
      });
    });
  }

  private add(message: ReadMessage): void {
    this.messages.push(message);
    this.waiters = this.waiters.filter((w) => {
      if (!w.predicate()) return true;
      w.resolve();
      return false;
    });
  }

  byHeader(name: string, value: string): ReadMessage[] {
    return this.messages.filter((m) => m.headers[name] === value);
  }

  /** Resolves once the predicate over everything read so far holds. */
  waitUntil(predicate: () => boolean, timeoutMs = 60_000): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`kafka: condition not met within ${timeoutMs} ms (${this.messages.length} messages read)`)),
        timeoutMs,
      );
      this.waiters.push({
        predicate,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  close(): Promise<void> {
    if (this.child.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill('SIGKILL');
    });
  }
}
