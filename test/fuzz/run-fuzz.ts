/**
 * The fuzz loop: cases from a seed, each through the in-process gateway (two of them: protobuf out
 * and JSON out, `transmit_decoded_records`), checked against the invariants; a case that breaks
 * one, or throws, is handed to `failed`. Resident memory is sampled to show it stays bounded.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { InProcessGateway } from './in-process-gateway';
import { violations } from './invariants';
import { fuzzCase } from './mutate';
import type { FuzzFrame } from './mutate';
import { seededRandom } from '../../bench/vehicle/records';

export interface FuzzFailure {
  caseIndex: number;
  frames: FuzzFrame[];
  problems: string[];
}

export interface FuzzReport {
  cases: number;
  frames: number;
  failures: FuzzFailure[];
  /** RSS after the warm-up (the first tenth) and its maximum after that, in MB. */
  rssWarmMb: number;
  rssPeakMb: number;
}

/** RSS may grow by this much after the warm-up before the run counts as unbounded. */
export const RSS_GROWTH_LIMIT_MB = 256;

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

export async function runFuzz(options: {
  cases: number;
  seed: number;
  failed?: (failure: FuzzFailure) => void;
  progress?: (done: number, report: FuzzReport) => void;
}): Promise<FuzzReport> {
  const rand = seededRandom(options.seed);
  const gateways = [await InProcessGateway.create(false), await InProcessGateway.create(true)];
  const report: FuzzReport = { cases: 0, frames: 0, failures: [], rssWarmMb: 0, rssPeakMb: 0 };
  const warmUp = Math.max(1, Math.floor(options.cases / 10));
  try {
    for (let i = 0; i < options.cases; i++) {
      const frames = fuzzCase(rand);
      const problems = await check(gateways[i & 1], frames);
      report.cases++;
      report.frames += frames.length;
      if (problems.length > 0) {
        const failure = { caseIndex: i, frames, problems };
        report.failures.push(failure);
        options.failed?.(failure);
      }
      if (i % 1000 === 999 || i === warmUp) {
        const rss = mb(process.memoryUsage().rss);
        if (i === warmUp) report.rssWarmMb = rss;
        else if (i > warmUp) report.rssPeakMb = Math.max(report.rssPeakMb, rss);
      }
      if (i % 10_000 === 9_999) options.progress?.(i + 1, report);
    }
  } finally {
    await Promise.all(gateways.map((g) => g.close()));
  }
  return report;
}

/** Runs one case; an exception is a failure too. */
export async function check(gateway: InProcessGateway, frames: FuzzFrame[]): Promise<string[]> {
  try {
    const log = await gateway.session(frames.map((f) => f.bytes));
    return violations(frames, log, gateway.unsettled);
  } catch (error) {
    return [`threw: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`];
  }
}

/**
 * The corpus: one file per case, its frames as a 4-byte big-endian length then the bytes. Frames
 * read back from the corpus carry no expectation beyond the envelope's (`mustAck` false).
 */
export function encodeCase(frames: readonly FuzzFrame[]): Buffer {
  return Buffer.concat(
    frames.flatMap((f) => {
      const length = Buffer.alloc(4);
      length.writeUInt32BE(f.bytes.length);
      return [length, Buffer.from(f.bytes)];
    }),
  );
}

export function decodeCase(bytes: Buffer, name: string): FuzzFrame[] {
  const frames: FuzzFrame[] = [];
  for (let at = 0; at < bytes.length;) {
    const length = bytes.readUInt32BE(at);
    frames.push({ bytes: Uint8Array.from(bytes.subarray(at + 4, at + 4 + length)), mustAck: false, how: name });
    at += 4 + length;
  }
  return frames;
}

export function readCorpus(dir: string): { name: string; frames: FuzzFrame[] }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.frames'))
    .sort()
    .map((name) => ({ name, frames: decodeCase(readFileSync(join(dir, name)), name) }));
}
