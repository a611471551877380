/** A test consumer that reads whole topics from the real broker and waits on what arrives. */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { MessageLog } from '../../bench/readback/message-log';

export interface ReadMessage {
  topic: string;
  partition: number;
  offset: number;
  key: string;
  value: Buffer;
  /** A null value (a tombstone), as opposed to an empty one. */
  valueIsNull: boolean;
  /** Header values as UTF-8 text (lossy) … */
  headers: Record<string, string>;
  /** … and as the exact bytes the broker holds, in hex. */
  headerHex: Record<string, string>;
}

type Line = Omit<ReadMessage, 'value'> & { value: string; ready?: boolean };

export class KafkaReader extends MessageLog<ReadMessage> {
  private constructor(private readonly child: ChildProcess) {
    super('kafka');
  }

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

  byHeader(name: string, value: string): ReadMessage[] {
    return this.messages.filter((m) => m.headers[name] === value);
  }

  close(): Promise<void> {
    if (this.child.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill('SIGKILL');
    });
  }
}
