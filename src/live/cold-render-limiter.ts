import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AppError } from '../errors/index.js';

/** At most `limit` cold renders in any sliding window of `windowSeconds`. */
export interface RenderBudget {
  limit: number;
  windowSeconds: number;
}

export interface ColdRenderLimiterOptions {
  /** Redis key prefix; default `{mastercut}:cold:` (one hash tag: both keys of a check share a slot). */
  prefix?: string;
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

/**
 * A sliding-window log per key (a sorted set of admission times), both keys
 * in one atomic step: an admission counts against both budgets or neither,
 * and a refused request does not count at all. Time comes from Redis, so
 * every API process shares one clock.
 * KEYS: client, link. ARGV: client limit, client window ms, link limit, link window ms, member.
 * Returns {1} or {0, scope index (1 client, 2 link), retry ms}.
 */
const CHECK_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local worst, scope = -1, 0
for i = 1, 2 do
  local limit = tonumber(ARGV[i * 2 - 1])
  local window = tonumber(ARGV[i * 2])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
  if redis.call('ZCARD', KEYS[i]) >= limit then
    local oldest = redis.call('ZRANGE', KEYS[i], -limit, -limit, 'WITHSCORES')
    local retry = tonumber(oldest[2]) + window - now
    if retry > worst then worst, scope = retry, i end
  end
end
if scope > 0 then return {0, scope, worst} end
for i = 1, 2 do
  redis.call('ZADD', KEYS[i], now, ARGV[5])
  redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[i * 2]))
end
return {1}
`;

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
  const prefix = options.prefix ?? '{mastercut}:cold:';
  const perClient = resolveBudget(options.perClient, { limit: 30, windowSeconds: 60 }, 'perClient');
  const perLink = resolveBudget(options.perLink, { limit: 10, windowSeconds: 60 }, 'perLink');

  return {
    async check({ client, link }) {
      const keys = [`${prefix}c:${digest('client', client)}`, `${prefix}l:${digest('link', link)}`];
      // A unique member per admission: two in the same millisecond must both count.
      const member = randomBytes(9).toString('base64url');
      const args = [perClient.limit, perClient.windowSeconds * 1000, perLink.limit, perLink.windowSeconds * 1000].map(String);
      const reply = (await redis.eval(CHECK_SCRIPT, 2, ...keys, ...args, member)) as number[];
      if (reply[0] === 1) return { allowed: true };
      return {
        allowed: false,
        scope: reply[1] === 1 ? 'client' : 'link',
        retryAfterSeconds: Math.max(1, Math.ceil(Number(reply[2]) / 1000)),
      };
    },
  };
}
