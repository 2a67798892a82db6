import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/errors/index.js';
import { checkEvictionPolicy, closeRedisConnection, createRedisConnection } from '../../../src/queue/index.js';
import { startTestRedis, type EmbeddedRedis } from '../../helpers/redis-server.js';

let lru: EmbeddedRedis;
let safe: EmbeddedRedis;
let lruClient: Redis;
let safeClient: Redis;

beforeAll(async () => {
  [lru, safe] = await Promise.all([startTestRedis({ maxmemoryPolicy: 'allkeys-lru' }), startTestRedis()]);
  lruClient = createRedisConnection(lru.url);
  safeClient = createRedisConnection(safe.url);
});
afterAll(async () => {
  await Promise.all([lruClient && closeRedisConnection(lruClient), safeClient && closeRedisConnection(safeClient)]);
  await Promise.all([lru?.destroy(), safe?.destroy()]);
});

function recorder() {
  const warnings: { obj: object; msg?: string }[] = [];
  return { warnings, log: { info() {}, error() {}, warn: (obj: object, msg?: string) => void warnings.push({ obj, msg }) } };
}

describe('checkEvictionPolicy', () => {
  it('refuses an evicting Redis in refuse mode with a clear message', async () => {
    const err = await checkEvictionPolicy(lruClient, 'refuse').catch((e) => e);
    expect(isAppError(err, 'CONFIG_INVALID')).toBe(true);
    expect(err.message).toMatch(/allkeys-lru/);
    expect(err.message).toMatch(/noeviction/);
  });

  it('only warns in warn mode', async () => {
    const { warnings, log } = recorder();
    expect(await checkEvictionPolicy(lruClient, 'warn', log)).toEqual({ policy: 'allkeys-lru', ok: false });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.obj).toEqual({ policy: 'allkeys-lru' });
    expect(warnings[0]!.msg).toMatch(/noeviction/);
  });

  it('accepts noeviction silently in both modes', async () => {
    const { warnings, log } = recorder();
    expect(await checkEvictionPolicy(safeClient, 'refuse', log)).toEqual({ policy: 'noeviction', ok: true });
    expect(await checkEvictionPolicy(safeClient, 'warn', log)).toEqual({ policy: 'noeviction', ok: true });
    expect(warnings).toHaveLength(0);
  });

  it('follows a policy changed at runtime', async () => {
    await safeClient.config('SET', 'maxmemory-policy', 'volatile-ttl');
    try {
      expect(isAppError(await checkEvictionPolicy(safeClient, 'refuse').catch((e) => e), 'CONFIG_INVALID')).toBe(true);
    } finally {
      await safeClient.config('SET', 'maxmemory-policy', 'noeviction');
    }
  });
});
