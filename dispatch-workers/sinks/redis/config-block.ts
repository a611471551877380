/**
 * The `redis` config block (PROTOCOL.md §10.6, §12.2): upstream's keys, all optional here (the sink
 * checks `addrs` at startup, with upstream's text). `REDIS_PASSWORD` is applied by the sink
 * (`resolveRedisBlock`): non-empty, it replaces `password`.
 */
import type { SinkConfigBlock } from '../../../config';

export interface RedisTls {
  ca_file?: string;
  server_cert?: string;
  server_key?: string;
}

export interface RedisPool {
  pool_size: number;
  min_idle_conns: number;
  max_idle_conns: number;
  max_active_conns: number;
  read_timeout: number;
  write_timeout: number;
  pool_timeout: number;
  conn_max_idle_time: number;
  conn_max_lifetime: number;
}

export interface RedisBlock {
  addrs: string[];
  username: string;
  password: string;
  db: number;
  /** null: plain TCP. */
  tls: RedisTls | null;
  override_tls_server_name: boolean;
  pool: RedisPool;
  /** Nanoseconds; 0 ⇒ 5 s. */
  publish_timeout: number;
  cluster_mode: boolean;
  publish_vin_topics: boolean;
  subscriber_set_prefix: string;
  max_buffered_records: number;
}

const int = (doc: string) => ({ doc, format: 'int', default: 0, goType: 'int' });
const ns = (doc: string) => ({ doc: `${doc} Integer nanoseconds; 0 = the client default.`, format: 'int', default: 0, goType: 'int64' });

export const REDIS_CONFIG_BLOCK: SinkConfigBlock = {
  key: 'redis',
  upstreamName: 'Redis',
  schema: {
    addrs: { doc: 'host:port of the server, or of cluster nodes. Required.', format: Array, default: [], goType: '[]string' },
    username: { doc: 'ACL user name ("" ⇒ default user).', format: String, default: '', goType: 'string' },
    password: {
      doc: 'Password; REDIS_PASSWORD overrides it when non-empty.',
      format: String,
      default: '',
      goType: 'string',
      sensitive: true,
    },
    db: { doc: 'Database number (single node only).', format: 'nat', default: 0, goType: 'int' },
    tls: {
      doc: 'Present ⇒ TLS: {ca_file, server_cert, server_key} (client pair optional, both or neither; ca_file replaces the system CAs).',
      format: (v: unknown) => {
        if (v !== null && (typeof v !== 'object' || Array.isArray(v))) throw new Error('must be an object');
      },
      default: null,
      goType: 'map[string]string',
    },
    override_tls_server_name: {
      doc: 'With TLS: verify (and send as SNI) the host of addrs[0] for every node.',
      format: Boolean,
      default: false,
      goType: 'bool',
    },
    pool: {
      pool_size: int('Connections per node (go-redis pool). One pipelined connection per lane here; accepted, no effect.'),
      min_idle_conns: int('Accepted, no effect (see pool_size).'),
      max_idle_conns: int('Accepted, no effect (see pool_size).'),
      max_active_conns: int('Accepted, no effect (see pool_size).'),
      read_timeout: ns('Accepted, no effect: publish_timeout bounds every command.'),
      write_timeout: ns('Accepted, no effect: publish_timeout bounds every command.'),
      pool_timeout: ns('Accepted, no effect (no pool to wait for).'),
      conn_max_idle_time: ns('Accepted, no effect (the connection is kept).'),
      conn_max_lifetime: ns('Accepted, no effect (the connection is kept).'),
    },
    publish_timeout: {
      doc: 'Timeout of each command (PUBLISH, sorted-set step), integer nanoseconds; 0 ⇒ 5 s.',
      format: 'int',
      default: 0,
      goType: 'int64',
    },
    cluster_mode: { doc: 'Use the cluster client even with one address.', format: Boolean, default: false, goType: 'bool' },
    publish_vin_topics: { doc: 'Publish to <namespace>_<record type>_{<VIN>}.', format: Boolean, default: false, goType: 'bool' },
    subscriber_set_prefix: {
      doc: 'Non-empty: also publish to the channels listed in the sorted set <prefix>_<namespace>_<record type>_{<VIN>} (score = lease expiry, epoch seconds).',
      format: String,
      default: '',
      goType: 'string',
    },
    max_buffered_records: {
      doc: 'Ours. Records being published per dispatch lane; more are refused (not ACKed, DEVIATIONS.md D6).',
      format: 'nat',
      default: 10_000,
      goType: 'int',
    },
  },
};

/** §10.6 default publish timeout. */
export const DEFAULT_PUBLISH_TIMEOUT_MS = 5_000;

/** The validated block with REDIS_PASSWORD applied (§12.4: when non-empty). */
export function resolveRedisBlock(value: unknown, env: NodeJS.ProcessEnv): RedisBlock {
  const block = value as RedisBlock;
  const password = env.REDIS_PASSWORD;
  return password !== undefined && password !== '' ? { ...block, password } : block;
}

/** `publish_timeout` (ns) in ms. */
export function publishTimeoutMs(block: RedisBlock): number {
  return block.publish_timeout > 0 ? Math.max(1, Math.round(block.publish_timeout / 1e6)) : DEFAULT_PUBLISH_TIMEOUT_MS;
}
