import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AppError } from '../errors/index.js';
import { checkColdRender, redisKeys, runScript, type RedisKeys } from '../redis/index.js';

/** At most `limit` cold renders in any sliding window of `windowSeconds`. */
export interface RenderBudget {
  limit: number;
  windowSeconds: number;
}

export interface ColdRenderLimiterOptions {
  /** The key registry (both keys of a check share the hash tag, so a slot). Default: the farm's. */
  keys?: RedisKeys;
  /** Per client (e.g. IP address). Default 30 per 60 s. */
  perClient?: Partial<RenderBudget>;
  /** Per link (the token). Default 10 per 60 s: a link has a handful of deliverables. */
  perLink?: Partial<RenderBudget>;
}

export type ColdRenderDecision =
  | { allowed: true }
  | { allowed: false; retryAfterSeconds: number; scope: 'client' | 'link' };

/** Budgets cold renders (cache misses) only; cached hits never call it. */
export interface ColdRenderLimiter {
  /**
   * Takes one cold render from both budgets, or none when either is spent.
   * `client` and `link` are hashed before use: raw IPs and tokens never
   * reach Redis.
   */
  check(request: { client: string; link: string }): Promise<ColdRenderDecision>;
}


function resolveBudget(given: Partial<RenderBudget> | undefined, fallback: RenderBudget, name: string): RenderBudget {
  const budget = { ...fallback, ...given };
  for (const [field, value] of Object.entries(budget)) {
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new AppError('INVALID_ARGUMENT', `${name}.${field} must be a positive integer`, { details: { [field]: value } });
    }
  }
  return budget;
}

/** 128 bits of sha256, domain-separated per scope: enough to keep budgets apart, nothing to reverse. */
function digest(scope: string, value: string): string {
  return createHash('sha256').update(`${scope}\0${value}`).digest('hex').slice(0, 32);
}

/** Creates the cold-render limiter. */
export function createColdRenderLimiter(redis: Redis, options: ColdRenderLimiterOptions = {}): ColdRenderLimiter {
  const registry = options.keys ?? redisKeys;
  const perClient = resolveBudget(options.perClient, { limit: 30, windowSeconds: 60 }, 'perClient');
  const perLink = resolveBudget(options.perLink, { limit: 10, windowSeconds: 60 }, 'perLink');

  return {
    async check({ client, link }) {
      const keys = [registry.coldClient(digest('client', client)), registry.coldLink(digest('link', link))];
      // A unique member per admission: two in the same millisecond must both count.
      const member = randomBytes(9).toString('base64url');
      const args = [perClient.limit, perClient.windowSeconds * 1000, perLink.limit, perLink.windowSeconds * 1000].map(String);
      const reply = (await runScript(redis, checkColdRender, keys, [...args, member])) as number[];
      if (reply[0] === 1) return { allowed: true };
      return {
        allowed: false,
        scope: reply[1] === 1 ? 'client' : 'link',
        retryAfterSeconds: Math.max(1, Math.ceil(Number(reply[2]) / 1000)),
      };
    },
  };
}
