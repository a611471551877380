/**
 * The ioredis client behind the sink: one connection per lane (or one per cluster node), commands
 * auto-pipelined, every command bounded by `publish_timeout`. Commands are never queued while
 * disconnected (the sink refuses instead). Loaded only where the sink is used.
 *
 * ioredis rather than node-redis: measured on this machine, 100,000 concurrent PUBLISH of 300 bytes
 * to a local redis-server cost 12-16 µs of client CPU each with ioredis (auto-pipelining) and
 * 17-20 µs with node-redis 6.3.1 (see README.md); ioredis also has a mature cluster client.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { Cluster, Redis } from 'ioredis';
import type { ClusterOptions, RedisOptions } from 'ioredis';
import type { RedisBlock } from './config-block';
import { publishTimeoutMs } from './config-block';
import { parseAddr, tlsServerName } from './channels';
import { keySlot } from './key-slot';
import type { RedisCommands } from './redis-sink';
import { activity } from '../../../shared/log';
import type { Logger } from '../../../shared/log';

/** §10.6: the startup PING must answer within 10 s. */
export const STARTUP_PING_TIMEOUT_MS = 10_000;
/** Reconnection backoff: 100 ms more per attempt, at most 2 s. */
const reconnectDelay = (attempt: number): number => Math.min(attempt * 100, 2_000);

/** TLS options from `tls` and `override_tls_server_name`, with upstream's error texts. */
export function tlsOptions(block: RedisBlock): ConnectionOptions | undefined {
  if (block.tls === null) return undefined;
  const options: ConnectionOptions = {};
  const { ca_file: ca = '', server_cert: cert = '', server_key: key = '' } = block.tls;
  if (cert !== '' && key !== '') {
    try {
      options.cert = readFileSync(cert);
      options.key = readFileSync(key);
    } catch (error) {
      throw new Error(`can't properly load cert pair (${cert}, ${key}): ${(error as Error).message}`, { cause: error });
    }
  }
  if (ca !== '') {
    try {
      options.ca = readFileSync(ca);
    } catch (error) {
      throw new Error(`can't properly load ca cert (${ca}): ${(error as Error).message}`, { cause: error });
    }
  }
  if (block.override_tls_server_name && block.addrs.length > 0) options.servername = tlsServerName(block.addrs[0]);
  return options;
}

/** Node options shared by the single-node and the cluster client. */
export function nodeOptions(block: RedisBlock): RedisOptions {
  return {
    username: block.username === '' ? undefined : block.username,
    password: block.password === '' ? undefined : block.password,
    tls: tlsOptions(block),
    commandTimeout: publishTimeoutMs(block),
    connectTimeout: STARTUP_PING_TIMEOUT_MS,
    enableAutoPipelining: true,
    maxRetriesPerRequest: 0,
  };
}

/** Connects and PINGs (§10.6), or rejects with `redis_connect_error <err>`. */
export async function connectRedis(block: RedisBlock, logger: Logger): Promise<RedisCommands> {
  const clustered = block.cluster_mode || block.addrs.length > 1;
  const client = clustered ? clusterClient(block) : singleClient(block);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer within ${STARTUP_PING_TIMEOUT_MS / 1000}s`)), STARTUP_PING_TIMEOUT_MS);
      client.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
      client.once('error', (error: Error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    await client.ping();
  } catch (error) {
    client.disconnect();
    throw new Error(`redis_connect_error ${(error as Error).message}`, { cause: error });
  }
  // Later errors show as failed commands and `ready`; the client keeps reconnecting.
  client.on('error', () => undefined);
  let connected = true;
  client.on('close', () => {
    if (connected) activity(logger, 'redis_connection_lost', { addrs: block.addrs.join(',') });
    connected = false;
  });
  client.on('ready', () => {
    connected = true;
    activity(logger, 'redis_reconnected', { addrs: block.addrs.join(',') });
  });
  return {
    get ready() {
      return client.status === 'ready';
    },
    publish: (channel, payload) => (client instanceof Cluster ? slotOwner(client, channel) : client).publish(channel, payload),
    async purgeAndList(key, bound) {
      const [, members] = await Promise.all([client.zremrangebyscore(key, '-inf', bound), client.zrange(key, '0', '-1')]);
      return members;
    },
    async close() {
      await client.quit().catch(() => client.disconnect());
    },
  };
}

function singleClient(block: RedisBlock): Redis {
  const { host, port } = parseAddr(block.addrs[0]);
  return new Redis({ ...nodeOptions(block), host, port, db: block.db, enableOfflineQueue: false, retryStrategy: reconnectDelay });
}

/**
 * The master serving the channel's slot. A cluster client sends PUBLISH (which has no key) to any
 * node, and a message published on another node than the subscriber's travels the cluster bus, so
 * two publishes on one channel could arrive out of order; one node per channel keeps them in order.
 */
function slotOwner(cluster: Cluster, channel: string): Redis | Cluster {
  const owner = cluster.slots[keySlot(channel)]?.[0];
  return cluster.nodes('master').find((node) => `${node.options.host}:${node.options.port}` === owner) ?? cluster;
}

function clusterClient(block: RedisBlock): Cluster {
  const options: ClusterOptions = {
    redisOptions: nodeOptions(block),
    enableOfflineQueue: false,
    clusterRetryStrategy: reconnectDelay,
  };
  return new Cluster(block.addrs.map(parseAddr), options);
}
