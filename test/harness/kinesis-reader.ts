/**
 * Reads whole Kinesis streams from the test server (kinesalite, test/services/kinesis): every
 * shard from TRIM_HORIZON, records in shard order. Stateless, so it survives a server restart.
 */
import { GetRecordsCommand, GetShardIteratorCommand, KinesisClient, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export interface StreamRecord {
  shardId: string;
  sequenceNumber: string;
  partitionKey: string;
  data: Buffer;
}

/** Credentials and region for the SDK: kinesalite accepts any. */
export const TEST_AWS_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  // The pinned SDK works on Node 20; its notice about later releases is noise here.
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

export class KinesisReader {
  private readonly client: KinesisClient;

  constructor(endpoint: string) {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    this.client = new KinesisClient({
      endpoint,
      region: TEST_AWS_ENV.AWS_REGION,
      credentials: { accessKeyId: TEST_AWS_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: TEST_AWS_ENV.AWS_SECRET_ACCESS_KEY },
      requestHandler: new NodeHttpHandler(),
    });
  }

  /** Every record of the stream, shard by shard, each shard in sequence order. */
  async read(stream: string): Promise<StreamRecord[]> {
    const { Shards = [] } = await this.client.send(new ListShardsCommand({ StreamName: stream }));
    const out: StreamRecord[] = [];
    for (const shard of Shards) {
      const shardId = shard.ShardId ?? '';
      let { ShardIterator: iterator } = await this.client.send(
        new GetShardIteratorCommand({ StreamName: stream, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }),
      );
      while (iterator !== undefined) {
        const page = await this.client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
        for (const r of page.Records ?? [])
          out.push({
            shardId,
            sequenceNumber: r.SequenceNumber ?? '',
            partitionKey: r.PartitionKey ?? '',
            data: Buffer.from(r.Data ?? []),
          });
        if ((page.Records ?? []).length === 0) break;
        iterator = page.NextShardIterator;
      }
    }
    return out;
  }

  /** Polls the stream until the predicate holds over its records; returns them. */
  async waitFor(stream: string, predicate: (records: StreamRecord[]) => boolean, timeoutMs = 30_000): Promise<StreamRecord[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const records = await this.read(stream);
      if (predicate(records)) return records;
      if (Date.now() > deadline)
        throw new Error(`kinesis: condition on ${stream} not met within ${timeoutMs} ms (${records.length} records)`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  close(): void {
    this.client.destroy();
  }
}
