import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/errors/index.js';
import { createColdRenderLimiter } from '../../../src/live/index.js';
import { startTestRedis, type EmbeddedRedis } from '../../helpers/redis-server.js';

let server: EmbeddedRedis;
let redis: Redis;

beforeAll(async () => {
  server = await startTestRedis();
  redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
  await server?.destroy();
});
afterEach(async () => {
  await redis.flushdb();
});

const IP = '203.0.113.7';
const OTHER_IP = '198.51.100.23';
const TOKEN = 'v1.ka.c2VjcmV0LXRva2VuLWJvZHktdGhhdC1tdXN0LW5vdC1sZWFr';

describe('createColdRenderLimiter', () => {
  it('allows N per link, then refuses with the link scope and a sensible Retry-After', async () => {
    const limiter = createColdRenderLimiter(redis, { perClient: { limit: 100 }, perLink: { limit: 3, windowSeconds: 60 } });
    for (let i = 0; i < 3; i++) expect(await limiter.check({ client: IP, link: TOKEN })).toEqual({ allowed: true });
    const refused = await limiter.check({ client: IP, link: TOKEN });
    expect(refused).toMatchObject({ allowed: false, scope: 'link' });
    if (refused.allowed) throw new Error('unreachable');
    expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(59);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60);
    // The link is spent for everyone; another link is not.
    expect(await limiter.check({ client: OTHER_IP, link: TOKEN })).toMatchObject({ allowed: false, scope: 'link' });
    expect(await limiter.check({ client: IP, link: `${TOKEN}x` })).toEqual({ allowed: true });
  });

  it('allows N per client across links, then refuses that client only', async () => {
    const limiter = createColdRenderLimiter(redis, { perClient: { limit: 4, windowSeconds: 30 }, perLink: { limit: 100 } });
    for (let i = 0; i < 4; i++) expect((await limiter.check({ client: IP, link: `link-${i}` })).allowed).toBe(true);
    const refused = await limiter.check({ client: IP, link: 'link-new' });
    expect(refused).toMatchObject({ allowed: false, scope: 'client' });
    if (refused.allowed) throw new Error('unreachable');
    expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(29);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(30);
    expect(await limiter.check({ client: OTHER_IP, link: 'link-new' })).toEqual({ allowed: true });
  });

  it('does not charge refused requests to either budget', async () => {
    const limiter = createColdRenderLimiter(redis, { perClient: { limit: 2 }, perLink: { limit: 1 } });
    expect((await limiter.check({ client: IP, link: 'a' })).allowed).toBe(true);
    // Refused by the link: the client's budget is untouched by it.
    for (let i = 0; i < 5; i++) expect((await limiter.check({ client: IP, link: 'a' })).allowed).toBe(false);
    expect((await limiter.check({ client: IP, link: 'b' })).allowed).toBe(true);
    expect(await limiter.check({ client: IP, link: 'c' })).toMatchObject({ allowed: false, scope: 'client' });
    // Refused by the client: link c's budget is untouched.
    expect((await limiter.check({ client: OTHER_IP, link: 'c' })).allowed).toBe(true);
  });

  it('admits again once the window has slid past', async () => {
    const limiter = createColdRenderLimiter(redis, { perClient: { limit: 2, windowSeconds: 1 }, perLink: { limit: 100 } });
    expect((await limiter.check({ client: IP, link: 'a' })).allowed).toBe(true);
    expect((await limiter.check({ client: IP, link: 'b' })).allowed).toBe(true);
    expect(await limiter.check({ client: IP, link: 'c' })).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await limiter.check({ client: IP, link: 'c' })).allowed).toBe(true);
  });

  it('is atomic under concurrency: exactly N of many simultaneous checks pass', async () => {
    const limiter = createColdRenderLimiter(redis, { perClient: { limit: 1000 }, perLink: { limit: 5 } });
    const clients = Array.from({ length: 4 }, () => new Redis(server.url, { maxRetriesPerRequest: 1 }));
    try {
      const limiters = clients.map((c) => createColdRenderLimiter(c, { perClient: { limit: 1000 }, perLink: { limit: 5 } }));
      const decisions = await Promise.all(
        Array.from({ length: 40 }, (_, i) => (i % 5 === 0 ? limiter : limiters[i % 4]!).check({ client: `ip-${i}`, link: TOKEN })),
      );
      expect(decisions.filter((d) => d.allowed)).toHaveLength(5);
    } finally {
      for (const c of clients) c.disconnect();
    }
  });

  it('keeps only hashes in Redis, never the client address or the token', async () => {
    const limiter = createColdRenderLimiter(redis);
    await limiter.check({ client: IP, link: TOKEN });
    const keys = await redis.keys('*');
    expect(keys).toHaveLength(2);
    for (const key of keys) {
      expect(key).toMatch(/^\{mastercut\}:cold:[cl]:[0-9a-f]{32}$/);
      const members = await redis.zrange(key, '0', '-1');
      expect(JSON.stringify(members)).not.toContain(IP);
      expect(JSON.stringify(members)).not.toContain('c2VjcmV0');
    }
    expect(keys.join(' ')).not.toContain(IP);
    expect(keys.join(' ')).not.toContain('c2VjcmV0');
    expect(await redis.pttl(keys[0]!)).toBeGreaterThan(0);
  });

  it('refuses invalid budgets', () => {
    const codeOf = (work: () => unknown) => {
      try {
        work();
        return 'created';
      } catch (err) {
        return isAppError(err) ? err.code : err;
      }
    };
    expect(codeOf(() => createColdRenderLimiter(redis, { perClient: { limit: 0 } }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => createColdRenderLimiter(redis, { perLink: { windowSeconds: 1.5 } }))).toBe('INVALID_ARGUMENT');
  });
});
