import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/errors/index.js';
import { createStoredProps, recordSubject, subjectHash } from '../../../src/live/index.js';
import { createRedisKeys, redisKeys } from '../../../src/redis/index.js';
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

const props = { firstName: 'Alice', nights: 12, tags: ['a', 'b'], nested: { x: 1 } };

describe('createStoredProps', () => {
  it('stores props under a 128-bit base64url id and reads them back', async () => {
    const store = createStoredProps(redis, { ttlSeconds: 60 });
    const id = await store.put(props);
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Buffer.from(id, 'base64url')).toHaveLength(16);
    expect(await store.get(id)).toEqual(props);
    expect(await redis.exists(`{mastercut}:props:${id}`)).toBe(1);
    expect(await store.put(props)).not.toBe(id);
  });

  it('expires after its TTL (default and per put)', async () => {
    const store = createStoredProps(redis, { keys: createRedisKeys('{mastercut}:test:'), ttlSeconds: 60 });
    const long = await store.put(props);
    const short = await store.put(props, { ttlSeconds: 1 });
    const ttl = await redis.ttl(`{mastercut}:test:props:${long}`);
    expect(ttl).toBeGreaterThan(55);
    expect(ttl).toBeLessThanOrEqual(60);
    expect(await redis.pttl(`{mastercut}:test:props:${short}`)).toBeLessThanOrEqual(1000);
    await new Promise((resolve) => setTimeout(resolve, 1_150));
    expect(await store.get(short)).toBeUndefined();
    expect(await store.get(long)).toEqual(props);
  });

  it('deletes, and answers undefined/false for unknown or malformed ids without touching Redis keys', async () => {
    const store = createStoredProps(redis, { ttlSeconds: 60 });
    const id = await store.put(props);
    expect(await store.delete(id)).toBe(true);
    expect(await store.delete(id)).toBe(false);
    expect(await store.get(id)).toBeUndefined();
    await redis.set('{mastercut}:props:*', '{"x":1}');
    expect(await store.get('*')).toBeUndefined();
    expect(await store.get('../../etc/passwd')).toBeUndefined();
  });

  it('refuses props that are not an object or are too large', async () => {
    const store = createStoredProps(redis, { ttlSeconds: 60, maxBytes: 100 });
    const codeOf = (value: unknown) =>
      store.put(value as Record<string, unknown>).then(
        () => 'resolved',
        (err: unknown) => (isAppError(err) ? err.code : err),
      );
    expect(await codeOf([1, 2])).toBe('INVALID_ARGUMENT');
    expect(await codeOf(null)).toBe('INVALID_ARGUMENT');
    expect(await codeOf({ text: 'x'.repeat(200) })).toBe('PAYLOAD_TOO_LARGE');
    expect(await redis.dbsize()).toBe(0);
  });

  it('records the id under the recipient (hashed), and refuses an erased recipient before writing', async () => {
    const store = createStoredProps(redis, { ttlSeconds: 60 });
    const id = await store.put(props, { recipientId: 'alice@example.com' });
    const setKey = redisKeys.subject(subjectHash('alice@example.com'));
    expect(await redis.smembers(setKey)).toEqual([`p:${id}`]);
    expect(await redis.ttl(setKey)).toBeGreaterThan(0);
    const keys = await redis.keys('*');
    expect(keys.join(' ')).not.toContain('alice');

    await redis.set(redisKeys.tombstone(subjectHash('bob@example.com')), '1');
    const before = await redis.dbsize();
    const refused = await store.put(props, { recipientId: 'bob@example.com' }).catch((err: unknown) => err);
    expect(isAppError(refused, 'SUBJECT_ERASED')).toBe(true);
    expect(await redis.dbsize()).toBe(before);
  });

  it('recordSubject never shortens the subject set TTL', async () => {
    const setKey = redisKeys.subject(subjectHash('carol'));
    await recordSubject(redis, 'carol', { jobIds: ['job-1'] }, { ttlSeconds: 1000 });
    await recordSubject(redis, 'carol', { jobIds: ['job-2'] }, { ttlSeconds: 10 });
    expect(await redis.ttl(setKey)).toBeGreaterThan(990);
    await recordSubject(redis, 'carol', { jobIds: ['job-3'] }, { ttlSeconds: 5000 });
    expect(await redis.ttl(setKey)).toBeGreaterThan(4990);
    expect((await redis.smembers(setKey)).sort()).toEqual(['j:job-1', 'j:job-2', 'j:job-3']);
    await expect(recordSubject(redis, 'carol', { renderKeys: ['not-a-key'] })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('content-addressed: the same recipient and props give the same id, stored once; the TTL only grows', async () => {
    const store = createStoredProps(redis, { ttlSeconds: 60 });
    const reordered = { nested: { x: 1 }, tags: ['a', 'b'], nights: 12, firstName: 'Alice' };
    const id = await store.put(props, { contentAddressed: true, recipientId: 'u-1', ttlSeconds: 100 });
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(await store.put(reordered, { contentAddressed: true, recipientId: 'u-1', ttlSeconds: 50 })).toBe(id);
    expect(await redis.ttl(`{mastercut}:props:${id}`)).toBeGreaterThan(90);
    expect(await store.put(props, { contentAddressed: true, recipientId: 'u-1', ttlSeconds: 500 })).toBe(id);
    expect(await redis.ttl(`{mastercut}:props:${id}`)).toBeGreaterThan(400);
    // Another recipient's identical props are theirs: erasing one never breaks the other's link.
    expect(await store.put(props, { contentAddressed: true, recipientId: 'u-2' })).not.toBe(id);
    expect(await store.put({ ...props, nights: 13 }, { contentAddressed: true, recipientId: 'u-1' })).not.toBe(id);
    expect(await store.get(id)).toEqual(props);
  });
});
