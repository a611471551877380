/**
 * PROTOCOL.md §10.3 topic provisioning at startup: for every record type whose `records` list names
 * `pubsub`, check that topic `<namespace>_<type>` exists and create it when missing. Every dispatch
 * lane of every worker does this at once, so a creation that loses the race (ALREADY_EXISTS) is a
 * success. Any other failure aborts startup (the caller logs `pubsub_topic_creation_error` and
 * counts `pubsub_not_connected_total`).
 */

/** gRPC status codes (google.rpc.Code). */
const NOT_FOUND = 5;
const ALREADY_EXISTS = 6;

export interface TopicAdmin {
  /** false when the service answers NOT_FOUND. */
  exists(topic: string): Promise<boolean>;
  create(topic: string): Promise<void>;
}

export interface TopicToProvision {
  readonly recordType: string;
  readonly topic: string;
}

export class TopicProvisioningError extends Error {
  override readonly name = 'TopicProvisioningError';
  constructor(
    readonly topic: TopicToProvision,
    cause: unknown,
  ) {
    super(`pubsub_topic_creation_error topic_name=${topic.topic} txType=${topic.recordType}: ${errorText(cause)}`, { cause });
  }
}

/** Ensures each topic exists; resolves with the topics it created, in order. */
export async function provisionTopics(admin: TopicAdmin, topics: readonly TopicToProvision[]): Promise<TopicToProvision[]> {
  const created: TopicToProvision[] = [];
  for (const t of topics) {
    try {
      if (await admin.exists(t.topic)) continue;
      await admin.create(t.topic);
      created.push(t);
    } catch (error) {
      if (grpcCode(error) === ALREADY_EXISTS) continue;
      throw new TopicProvisioningError(t, error);
    }
  }
  return created;
}

export function grpcCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

export function isNotFound(error: unknown): boolean {
  return grpcCode(error) === NOT_FOUND;
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
