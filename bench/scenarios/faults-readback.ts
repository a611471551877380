/**
 * The fault matrix's accounting, from the vehicles' side: every txid that got an ACK is looked up
 * in what an independent consumer reads back from the sink. found = ACKed txids it read; lost =
 * ACKed txids it never read (must be 0); duplicates = copies beyond the first of any txid of the
 * run (a resend whose first copy also arrived: allowed, reported).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PubsubReader } from '../readback/pubsub-reader';

export interface Accounting {
  acked: number;
  found: number;
  lost: number;
  duplicates: number;
  /** Copies read in all (every txid of the run, ACKed or not). */
  read: number;
  /** Up to 10 lost txids, to look for in the logs. */
  lostSample: string[];
}

/** Per txid, the copies read so far: distinct messages (a partition and offset, a message id), so a redelivery of one message is not a duplicate. */
export interface TxidCounter {
  readonly copies: Map<string, Set<string>>;
  close(): Promise<void>;
}

/** Waits until every ACKed txid was read, or until nothing new arrived for `quietMs` (or `maxMs` passed). */
export async function account(
  reader: TxidCounter,
  acked: ReadonlySet<string>,
  show: (text: string) => void,
  quietMs = 20_000,
  maxMs = 900_000,
): Promise<Accounting> {
  let lastSize = -1;
  let lastChange = Date.now();
  const deadline = Date.now() + maxMs;
  for (;;) {
    let read = 0;
    for (const ids of reader.copies.values()) read += ids.size;
    const missing = [...acked].filter((t) => !reader.copies.has(t));
    if (read !== lastSize) {
      lastSize = read;
      lastChange = Date.now();
    }
    show(`read back ${read} copies, ${acked.size - missing.length} of ${acked.size} ACKed txids`);
    if (missing.length === 0 || Date.now() - lastChange > quietMs || Date.now() > deadline) {
      let duplicates = 0;
      for (const ids of reader.copies.values()) duplicates += ids.size - 1;
      return {
        acked: acked.size,
        found: acked.size - missing.length,
        lost: missing.length,
        duplicates,
        read,
        lostSample: missing.slice(0, 10),
      };
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Reads a Kafka topic from its beginning (faults-kafka-child.ts), counting copies per txid with `prefix`. */
export function readKafka(brokers: string, topic: string, prefix: string): Promise<TxidCounter> {
  const child: ChildProcess = spawn(process.execPath, [join(__dirname, 'faults-kafka-child.js'), brokers, topic], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const copies = new Map<string, Set<string>>();
  const close = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the Kafka reader exited with ${code} before it was ready`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line === 'ready') resolve({ copies, close });
      else if (line.startsWith(prefix)) {
        const [txid, at] = line.split(' ');
        addCopy(copies, txid, at);
      }
    });
  });
}

/** Subscribes to a Pub/Sub topic (created if missing) before the gateway publishes to it. */
export async function readPubsub(emulatorHost: string, project: string, topic: string, prefix: string): Promise<TxidCounter> {
  const reader = new PubsubReader(emulatorHost, project);
  await reader.createTopic(topic);
  await reader.subscribe(topic);
  const copies = new Map<string, Set<string>>();
  let seen = 0;
  // Counted as read: the reader keeps every message, the counter only their txids.
  const counter: TxidCounter = {
    get copies() {
      for (; seen < reader.messages.length; seen++) {
        const { attributes, id } = reader.messages[seen];
        const txid = attributes.txid ?? '';
        if (txid.startsWith(prefix)) addCopy(copies, txid, id);
      }
      return copies;
    },
    close: () => reader.close(),
  };
  return counter;
}

function addCopy(copies: Map<string, Set<string>>, txid: string, id: string): void {
  let ids = copies.get(txid);
  if (ids === undefined) copies.set(txid, (ids = new Set()));
  ids.add(id);
}
