import { Redis, type RedisOptions } from 'ioredis';

/**
 * An ioredis client for BullMQ. `maxRetriesPerRequest: null` makes commands
 * wait through a Redis restart instead of failing after a few retries: a
 * worker must reconnect and carry on, never drop the job it is running.
 * Processes that must answer fast while Redis is down (the API) pass their
 * own `maxRetriesPerRequest`/`enableOfflineQueue` in `overrides`.
 */
export function createRedisConnection(url: string, overrides: RedisOptions = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    // Reconnect quickly at first, then every second: a restart is short.
    retryStrategy: (times) => Math.min(100 * times, 1_000),
    ...overrides,
  });
}

/** Closes a client: QUIT when connected, a plain disconnect otherwise (never hangs on a dead server). */
export async function closeRedisConnection(redis: Redis): Promise<void> {
  if (redis.status === 'ready') {
    await redis.quit().catch(() => redis.disconnect());
  } else {
    redis.disconnect();
  }
}
