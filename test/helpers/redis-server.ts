import { startEmbeddedRedis, type EmbeddedRedis, type EmbeddedRedisOptions } from '../../src/cli/embedded-redis.js';

/**
 * A real redis-server on a free port for one test file. Call in beforeAll and
 * `destroy()` in afterAll.
 */
export function startTestRedis(options: EmbeddedRedisOptions = {}): Promise<EmbeddedRedis> {
  return startEmbeddedRedis(options);
}

export type { EmbeddedRedis };
