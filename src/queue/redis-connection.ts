import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { parseRedisUrl } from '../config/index.js';
import { AppError } from '../errors/index.js';

// Options that belong to the Cluster object itself rather than to its node connections.
const CLUSTER_LEVEL = ['enableOfflineQueue', 'lazyConnect', 'enableAutoPipelining', 'enableReadyCheck'] as const;

/**
 * An ioredis client for BullMQ and the farm's own keys: the one place a
 * connection is made. `maxRetriesPerRequest: null` makes commands wait
 * through a Redis restart instead of failing after a few retries: a worker
 * must reconnect and carry on, never drop the job it is running. Processes
 * that must answer fast while Redis is down (the API) pass their own
 * `maxRetriesPerRequest`/`enableOfflineQueue` in `overrides`.
 *
 * A `redis-cluster://` URL gives an ioredis `Cluster`. It is typed as
 * `Redis` on purpose: every key the farm touches carries the `{mastercut}`
 * hash tag (src/redis/keys.ts), so every keyed command, MULTI, pipeline and
 * script lands on the one primary that owns that slot, and Cluster answers
 * them exactly as a single server would. The commands that name no key
 * (SCAN, CONFIG, INFO) must be sent to that primary: see `farmNode`.
 */
export function createRedisConnection(url: string, overrides: RedisOptions = {}): Redis {
  return connect(url, overrides, false);
}

/**
 * A connection for pub/sub. On a Redis Cluster it subscribes with sharded
 * pub/sub (SSUBSCRIBE, ioredis' `shardedSubscribers`): a channel under the
 * `{mastercut}` tag then lives on the farm's primary, and SPUBLISH counts
 * every subscriber, where PUBLISH would count only those of the node it ran
 * on. Use SSUBSCRIBE/SPUBLISH when `isClusterConnection` says so.
 */
export function createSubscriberConnection(url: string, overrides: RedisOptions = {}): Redis {
  return connect(url, overrides, true);
}

function connect(url: string, overrides: RedisOptions, shardedSubscribers: boolean): Redis {
  const target = parseRedisUrl(url);
  if (typeof target === 'string') throw new AppError('CONFIG_INVALID', `REDIS_URL: ${target}`);
  const nodeOptions: RedisOptions = {
    maxRetriesPerRequest: null,
    // Reconnect quickly at first, then every second: a restart is short.
    retryStrategy: (times) => Math.min(100 * times, 1_000),
    ...overrides,
  };
  if (target.kind === 'single') return new Redis(url, nodeOptions);

  const clusterLevel: Record<string, unknown> = {};
  for (const name of CLUSTER_LEVEL) if (name in nodeOptions) clusterLevel[name] = nodeOptions[name];
  const retry = nodeOptions.retryStrategy;
  const cluster = new Cluster(target.seeds, {
    ...clusterLevel,
    shardedSubscribers,
    // A cluster that lost every node reconnects like a lost single server (null stops, as overrides ask).
    clusterRetryStrategy: retry ? (times) => retry(times) : undefined,
    redisOptions: {
      ...nodeOptions,
      username: target.username,
      password: target.password,
      tls: target.tls ? {} : undefined,
    },
  });
  return cluster as unknown as Redis;
}

/** Whether a connection from createRedisConnection talks to a Redis Cluster. */
export function isClusterConnection(redis: object): boolean {
  return (redis as unknown as { isCluster?: boolean }).isCluster === true;
}

/**
 * The connection to send a keyless command (SCAN, CONFIG GET, INFO) about
 * the farm's keys to: the client itself on a single server, and on a
 * Cluster the node connection of the primary that owns `hashTag`'s slot
 * (asked of Redis with CLUSTER KEYSLOT, so no slot arithmetic lives here).
 * A Cluster would otherwise send such a command to a random node.
 */
export async function farmNode(redis: Redis, hashTag: string): Promise<Redis> {
  if (!isClusterConnection(redis)) return redis;
  const cluster = redis as unknown as Cluster;
  const slot = Number(await cluster.call('CLUSTER', 'KEYSLOT', hashTag));
  if (!cluster.slots[slot]?.[0]) await new Promise<void>((resolve, reject) => cluster.refreshSlotsCache((err) => (err ? reject(err) : resolve())));
  const nodeKey = cluster.slots[slot]?.[0];
  const node = cluster.nodes('master').find((n) => `${n.options.host}:${n.options.port}` === nodeKey);
  if (!node) throw new AppError('REDIS_UNAVAILABLE', `no connected Redis Cluster primary owns slot ${slot} (${hashTag}) yet`);
  return node;
}

/** Closes a client: QUIT when connected, a plain disconnect otherwise (never hangs on a dead server). */
export async function closeRedisConnection(redis: Redis): Promise<void> {
  if (redis.status === 'ready') {
    await redis.quit().catch(() => redis.disconnect());
  } else {
    redis.disconnect();
  }
}
