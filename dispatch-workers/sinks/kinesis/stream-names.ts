/**
 * The Kinesis stream of each record type (PROTOCOL.md §10.2), computed once at startup for the
 * record types whose `records` list names `kinesis`: `kinesis.streams[type]` if set, overridden by
 * the environment variable `KINESIS_STREAM_<TYPE uppercased>` when it is non-empty, else
 * `BuildTopicName(namespace, type)` = `<namespace>_<type>`.
 */
import { topicName } from '../../../shared/record';

/** `KINESIS_STREAM_V`, `KINESIS_STREAM_CONNECTIVITY`, … (§12.4). */
export function streamEnvVariable(recordType: string): string {
  return `KINESIS_STREAM_${recordType.toUpperCase()}`;
}

export function resolveStreamNames(
  recordTypes: Iterable<string>,
  configured: Readonly<Record<string, string>>,
  namespace: string,
  env: Readonly<Record<string, string | undefined>>,
): Map<string, string> {
  const streams = new Map<string, string>();
  for (const recordType of recordTypes) {
    let stream = Object.prototype.hasOwnProperty.call(configured, recordType) ? configured[recordType] : '';
    const fromEnv = env[streamEnvVariable(recordType)];
    if (fromEnv !== undefined && fromEnv !== '') stream = fromEnv;
    streams.set(recordType, stream !== '' ? stream : topicName(namespace, recordType));
  }
  return streams;
}

/** The record types whose `records` list contains `sink`, in the file's order. */
export function recordTypesUsing(sink: string, records: Readonly<Record<string, readonly string[]>>): string[] {
  return Object.entries(records)
    .filter(([, names]) => names.includes(sink))
    .map(([recordType]) => recordType);
}
