/**
 * The AWS SDK side of the Kinesis sink: the client (region and credentials from the standard AWS
 * environment and shared files, PROTOCOL.md §10.2 and §12.4), the startup test connection, and one
 * PutRecords call. The SDK's own retries are off (`maxAttempts: 1`): the batcher retries per record,
 * `max_retries` times, so a record is attempted as often as upstream's SDK retryer would.
 */
import { KinesisClient, ListStreamsCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClientConfig } from '@aws-sdk/client-kinesis';
import { NodeHttp2Handler, NodeHttpHandler } from '@smithy/node-http-handler';
import type { KinesisBlock } from './config-block';
import type { EntryOutcome, PutEntry, PutRecordsCall } from './put-records-batcher';
import { describeError, isRetryableCallError, retryDelayMs } from './retry-policy';

/** Connection set-up and socket inactivity limits of one call: a stuck call holds only its own records. */
const CONNECTION_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 30_000;

export function createKinesisClient(block: Pick<KinesisBlock, 'override_host' | 'http_version'>, env: NodeJS.ProcessEnv): KinesisClient {
  // The pinned SDK works on Node 20; its notice that later releases will not would be a multi-line
  // non-JSON stderr write in the middle of the log. This thread's env only; an explicit value wins.
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const config: KinesisClientConfig = {
    maxAttempts: 1,
    // kinesalite and LocalStack speak HTTP/1.1 only; the SDK's default for Kinesis is HTTP/2.
    requestHandler:
      block.http_version === '2'
        ? new NodeHttp2Handler({ requestTimeout: REQUEST_TIMEOUT_MS })
        : new NodeHttpHandler({ connectionTimeout: CONNECTION_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS }),
  };
  const endpoint = endpointUrl(block.override_host);
  if (endpoint !== undefined) config.endpoint = endpoint;
  // The v3 SDK reads AWS_REGION and the shared config; upstream's Go SDK also took AWS_DEFAULT_REGION.
  if (!env.AWS_REGION && env.AWS_DEFAULT_REGION) config.region = env.AWS_DEFAULT_REGION;
  return new KinesisClient(config);
}

/** `override_host` (§10.2) as an endpoint URL; like the Go SDK, a bare host means https. */
export function endpointUrl(overrideHost: string): string | undefined {
  if (overrideHost === '') return undefined;
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(overrideHost) ? overrideHost : `https://${overrideHost}`;
}

/**
 * §10.2 startup connectivity test: `ListStreams` with limit 1, attempted `attempts` times while the
 * error is retryable. Failure ⇒ `failed to list streams (test connection): <err>`.
 */
export async function testConnection(client: KinesisClient, attempts: number): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.send(new ListStreamsCommand({ Limit: 1 }));
      return;
    } catch (error) {
      if (attempt >= attempts || !isRetryableCallError(error))
        throw new Error(`failed to list streams (test connection): ${describeError(error)}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, retryDelayMs(attempt)));
    }
  }
}

/** One PutRecords call; an entry's `ErrorCode` becomes a failed outcome. */
export function putRecordsWith(client: KinesisClient): PutRecordsCall {
  return async (stream: string, entries: readonly PutEntry[]): Promise<EntryOutcome[]> => {
    const output = await client.send(
      new PutRecordsCommand({ StreamName: stream, Records: entries.map((e) => ({ Data: e.data, PartitionKey: e.partitionKey })) }),
    );
    const results = output.Records ?? [];
    return entries.map((_, i): EntryOutcome => {
      const r = results[i];
      if (r === undefined) return { ok: false, code: 'InternalFailure', message: 'PutRecords returned no result for this entry' };
      if (r.ErrorCode) return { ok: false, code: r.ErrorCode, message: r.ErrorMessage ?? '' };
      return { ok: true, shardId: r.ShardId ?? '', sequenceNumber: r.SequenceNumber ?? '' };
    });
  };
}
