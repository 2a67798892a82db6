import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blendCaptureProfile, measuredProfile } from '../../../src/pipeline/index.js';
import { closeRedisConnection, createRedisConnection } from '../../../src/queue/index.js';
import { createRedisKeys } from '../../../src/redis/index.js';
import { createCaptureProfiles, type CaptureProfiles } from '../../../src/renders/index.js';
import { startTestRedis, type EmbeddedRedis } from '../../helpers/redis-server.js';

/**
 * A template version's capture profile is the average of its whole renders
 * (src/renders/capture-profiles.ts), blended in Node and written by compare
 * and set, so that two renders finishing together both count.
 */
let server: EmbeddedRedis;
let redis: Redis;
let other: Redis;
const keys = createRedisKeys(`{mastercut}:t${Date.now().toString(36)}:`);
let version = 0;

beforeAll(async () => {
  server = await startTestRedis();
  redis = createRedisConnection(server.url);
  other = createRedisConnection(server.url);
});
afterAll(async () => {
  if (redis) await closeRedisConnection(redis);
  if (other) await closeRedisConnection(other);
  await server?.destroy();
});

const flat = (ms: number, frames = 240) => measuredProfile(new Array(frames).fill(ms));
/** A fresh version per test: its profile and count keys. */
function fresh(): { id: string; v: string; profileKey: string; countKey: string } {
  const v = `v${++version}`;
  return { id: 'year-recap', v, profileKey: keys.captureProfile('year-recap', v), countKey: keys.captureProfileRenders('year-recap', v) };
}

describe('capture profiles averaged over whole renders', () => {
  it('the mean of the first renders, then each new one weighs 1/averagedRenders', async () => {
    const profiles = createCaptureProfiles(redis, { keys, averagedRenders: 2 });
    const { id, v, profileKey, countKey } = fresh();
    await profiles.record(id, v, flat(100));
    expect(await profiles.get(id, v, 240)).toBe(flat(100));
    await profiles.record(id, v, flat(50));
    const two = blendCaptureProfile(flat(100), flat(50), 1 / 2);
    expect(await redis.get(profileKey)).toBe(two);
    expect(await redis.get(countKey)).toBe('2');
    // Past the cap each render still weighs 1/2.
    await profiles.record(id, v, flat(20));
    expect(await redis.get(profileKey)).toBe(blendCaptureProfile(two, flat(20), 1 / 2));
    expect(await redis.get(countKey)).toBe('3');
    expect(await redis.ttl(profileKey)).toBeGreaterThan(0);
    expect(await redis.ttl(countKey)).toBeGreaterThan(0);
  });

  it('two renders that finish together both count: the one that lost the race blends again', async () => {
    const { id, v, profileKey, countKey } = fresh();
    const second = createCaptureProfiles(other, { keys });
    // The first writer reads, then the second records in full before the first writes.
    let interleave = true;
    const racing = new Proxy(redis, {
      get(target, prop) {
        if (prop === 'mget') {
          return async (...args: string[]) => {
            const read = await target.mget(...args);
            if (interleave) {
              interleave = false;
              await second.record(id, v, flat(50));
            }
            return read;
          };
        }
        const value = Reflect.get(target, prop) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const first: CaptureProfiles = createCaptureProfiles(racing, { keys });
    await first.record(id, v, flat(100));
    expect(interleave).toBe(false);
    expect(await redis.get(countKey)).toBe('2');
    expect(await redis.get(profileKey)).toBe(blendCaptureProfile(flat(50), flat(100), 1 / 2));

    // Without a staged race too: two at once from two connections.
    const { v: v2, profileKey: key2, countKey: count2 } = fresh();
    await Promise.all([createCaptureProfiles(redis, { keys }).record(id, v2, flat(100)), second.record(id, v2, flat(50))]);
    expect(await redis.get(count2)).toBe('2');
    expect(await redis.get(key2)).toBe(blendCaptureProfile(flat(100), flat(50), 1 / 2));
  });

  it('replaces a stored profile of another length or of the letter form, and takes a letter one as is', async () => {
    const profiles = createCaptureProfiles(redis, { keys });
    const { id, v, profileKey, countKey } = fresh();
    await redis.set(profileKey, 'c'.repeat(240));
    await redis.set(countKey, '5');
    await profiles.record(id, v, flat(100));
    expect(await redis.get(profileKey)).toBe(flat(100));
    expect(await redis.get(countKey)).toBe('1');
    await profiles.record(id, v, flat(60, 300));
    expect(await redis.get(profileKey)).toBe(flat(60, 300));
    expect(await redis.get(countKey)).toBe('1');
    await profiles.record(id, v, 'c'.repeat(300));
    expect(await redis.get(profileKey)).toBe('c'.repeat(300));
    // A count left without its profile (the profile deleted) counts nothing.
    await redis.del(profileKey);
    await profiles.record(id, v, flat(40, 300));
    expect(await redis.get(profileKey)).toBe(flat(40, 300));
  });

  it('a split master only seeds a version without a profile; the next whole render replaces the seed', async () => {
    const profiles = createCaptureProfiles(redis, { keys });
    const { id, v, profileKey, countKey } = fresh();
    await profiles.seed(id, v, flat(70));
    expect(await redis.get(profileKey)).toBe(flat(70));
    expect(await redis.get(countKey)).toBe('0');
    await profiles.record(id, v, flat(100));
    expect(await redis.get(profileKey)).toBe(flat(100));
    expect(await redis.get(countKey)).toBe('1');
    // A measured profile stored is kept, its TTL refreshed.
    await redis.expire(profileKey, 60);
    await profiles.seed(id, v, flat(30));
    expect(await redis.get(profileKey)).toBe(flat(100));
    expect(await redis.ttl(profileKey)).toBeGreaterThan(60);
    // A letter profile gives way to a measured seed, not to a letter one.
    const { v: v2, profileKey: key2 } = fresh();
    await profiles.seed(id, v2, 'c'.repeat(240));
    await profiles.seed(id, v2, 'r'.repeat(240));
    expect(await redis.get(key2)).toBe('c'.repeat(240));
    await profiles.seed(id, v2, flat(30));
    expect(await redis.get(key2)).toBe(flat(30));
  });
});
