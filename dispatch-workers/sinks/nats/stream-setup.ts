/**
 * At startup with JetStream: the stream must exist, or be created when `jetstream.create_stream`
 * is on. Every dispatch lane runs this; creating a stream with the same config twice is harmless.
 */
import type { JetStreamManager, StreamConfig } from 'nats';
import type { DiscardPolicy, RetentionPolicy, StorageType } from 'nats';
import { ConfigError } from '../../../config';
import type { JetStreamBlock } from './config-block';

/** JetStream's API error code for "stream not found". */
const STREAM_NOT_FOUND = 10059;

function isStreamNotFound(error: unknown): boolean {
  const api = (error as { api_error?: { err_code?: number } }).api_error;
  return api?.err_code === STREAM_NOT_FOUND || /stream not found/i.test(String((error as Error).message));
}

/** Subjects of a created stream: `jetstream.subjects`, else `<prefix>.>` (or `<type>.>` per record type without a prefix). */
export function streamSubjects(block: JetStreamBlock, prefix: string, recordTypes: readonly string[]): string[] {
  if (block.subjects.length > 0) return block.subjects;
  return prefix !== '' ? [`${prefix}.>`] : recordTypes.map((t) => `${t}.>`);
}

export function streamConfig(block: JetStreamBlock, subjects: string[]): Partial<StreamConfig> & { name: string } {
  return {
    name: block.stream,
    subjects,
    retention: block.retention as RetentionPolicy,
    storage: block.storage as StorageType,
    discard: block.discard as DiscardPolicy,
    max_msgs: block.max_msgs,
    max_bytes: block.max_bytes,
    max_age: block.max_age_ms * 1_000_000, // nanoseconds
  };
}

/** Returns whether the stream was created. */
export async function ensureStream(jsm: JetStreamManager, block: JetStreamBlock, subjects: string[]): Promise<boolean> {
  try {
    await jsm.streams.info(block.stream);
    return false;
  } catch (error) {
    if (!isStreamNotFound(error)) throw error;
  }
  if (!block.create_stream)
    throw new ConfigError(
      'CONFIG_INVALID_VALUE',
      `config key "nats.jetstream.stream": JetStream stream ${JSON.stringify(block.stream)} does not exist ` +
        'and nats.jetstream.create_stream is false: create it, or set create_stream to true',
      'nats.jetstream.stream',
    );
  await jsm.streams.add(streamConfig(block, subjects));
  return true;
}
