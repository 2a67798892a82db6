import type { Redis } from 'ioredis';
import { AppError } from '../errors/index.js';
import type { JobLogger } from './create-job-worker.js';
import { farmNode } from './redis-connection.js';
import { HASH_TAG } from '../redis/index.js';

export type EvictionCheckMode = 'warn' | 'refuse';

export interface EvictionCheckResult {
  /** The policy Redis reported; undefined when CONFIG GET is not allowed (managed Redis). */
  policy: string | undefined;
  ok: boolean;
}

/**
 * Checks Redis `maxmemory-policy` at worker start. Under any policy but
 * `noeviction` Redis may silently drop BullMQ keys when memory runs out, and
 * jobs vanish. `refuse` throws CONFIG_INVALID (the worker exits non-zero);
 * `warn` logs and carries on. A server that forbids CONFIG (some managed
 * offerings) cannot be checked: that is logged, never fatal.
 */
export async function checkEvictionPolicy(redis: Redis, mode: EvictionCheckMode, log?: JobLogger): Promise<EvictionCheckResult> {
  let policy: string | undefined;
  try {
    // The primary that holds the farm's keys is the one whose policy matters (a Cluster would ask a random node).
    const node = await farmNode(redis, HASH_TAG);
    const reply = (await node.config('GET', 'maxmemory-policy')) as unknown;
    policy = parseConfigReply(reply, 'maxmemory-policy');
  } catch (err) {
    log?.warn({ err: { message: (err as Error).message } }, 'could not read Redis maxmemory-policy (CONFIG GET refused); make sure it is noeviction');
    return { policy: undefined, ok: true };
  }
  if (policy === undefined || policy === 'noeviction') return { policy, ok: true };

  const message =
    `Redis maxmemory-policy is "${policy}": Redis may evict queue keys under memory pressure and jobs would be lost. ` +
    'Set it to noeviction (redis-cli CONFIG SET maxmemory-policy noeviction, or maxmemory-policy noeviction in redis.conf).';
  if (mode === 'refuse') {
    throw new AppError('CONFIG_INVALID', `${message} Refusing to start (eviction check mode "refuse"; use "warn" to start anyway).`, {
      details: { policy },
    });
  }
  log?.warn({ policy }, message);
  return { policy, ok: false };
}

/** CONFIG GET answers a flat [name, value] list (RESP2) or a map (RESP3). */
function parseConfigReply(reply: unknown, name: string): string | undefined {
  if (Array.isArray(reply)) {
    const at = reply.indexOf(name);
    return at >= 0 ? String(reply[at + 1]) : undefined;
  }
  if (reply && typeof reply === 'object') {
    const value = (reply as Record<string, unknown>)[name];
    return value === undefined ? undefined : String(value);
  }
  return undefined;
}
