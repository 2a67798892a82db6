import type { Redis } from 'ioredis';
import { checkEvictionPolicy } from '../../queue/index.js';
import type { CheckResult, ReadinessCheck } from './readiness.js';

export interface RedisCheckOptions {
  /** How long a CONFIG GET answer is reused, so frequent probes stay cheap. Default 10 s. */
  policyCacheMs?: number;
}

/**
 * Redis reachable AND `maxmemory-policy` noeviction. Any other policy lets
 * Redis drop BullMQ keys under memory pressure (jobs vanish), so the process
 * is not ready whatever REDIS_EVICTION_CHECK says (that setting only decides
 * whether a worker starts at all). The connection's own status answers
 * "reachable" for free on every probe; the policy is read at most once per
 * `policyCacheMs`. A server that refuses CONFIG (managed Redis) counts as ok,
 * as it does at worker start.
 */
export function createRedisCheck(redis: Redis, options: RedisCheckOptions = {}): ReadinessCheck {
  const cacheMs = options.policyCacheMs ?? 10_000;
  let cached: { at: number; result: CheckResult } | undefined;

  return async () => {
    if (redis.status !== 'ready') {
      cached = undefined;
      return { ok: false, detail: `Redis is not reachable (connection ${redis.status})` };
    }
    if (cached && Date.now() - cached.at < cacheMs) return cached.result;
    const { policy, ok } = await checkEvictionPolicy(redis, 'warn');
    const result: CheckResult = ok
      ? { ok: true, detail: policy ? `reachable, maxmemory-policy ${policy}` : 'reachable, maxmemory-policy unknown (CONFIG GET refused)' }
      : { ok: false, detail: `maxmemory-policy is ${policy}: Redis may evict queue keys and lose jobs; set it to noeviction` };
    cached = { at: Date.now(), result };
    return result;
  };
}
