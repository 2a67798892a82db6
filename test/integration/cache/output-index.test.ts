import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { renderKey } from '../../../src/cache/index.js';
import { createOutputIndex, type OutputRecord } from '../../../src/renders/index.js';
import { isAppError } from '../../../src/errors/index.js';
import { createRedisKeys } from '../../../src/redis/index.js';
import { startTestRedis, type EmbeddedRedis } from '../../helpers/redis-server.js';

let server: EmbeddedRedis;
let redis: Redis;
let counter = 0;

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

/** A fresh 64-hex key per call. */
function key(): string {
  counter++;
  return renderKey({ templateId: 't', templateVersion: 'v', variant: 'landscape', props: { n: counter } });
}

function record(overrides: Partial<OutputRecord> = {}): OutputRecord {
  return {
    key: key(),
    state: 'done',
    storageKey: 'renders/x.mp4',
    size: 123_456,
    contentType: 'video/mp4',
    templateId: 'year-recap',
    templateVersion: 'abc123',
    variant: 'landscape',
    campaignId: 'c1',
    recipientId: 'r1',
    updatedAt: 1_700_000_000_000,
    ...overrides,
  };
}

async function codeOf(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (err) {
    return isAppError(err) ? err.code : err;
  }
  return 'resolved';
}

describe('createOutputIndex', () => {
  it('stores a record as a hash under the prefix and reads it back with numbers restored', async () => {
    const index = createOutputIndex(redis);
    const rec = record();
    await index.set(rec);
    const raw = await redis.hgetall(`{mastercut}:out:${rec.key}`);
    expect(raw).toMatchObject({ state: 'done', size: '123456', templateId: 'year-recap', updatedAt: '1700000000000' });
    const back = await index.get(rec.key);
    expect(back).toEqual(rec);
    expect(typeof back!.size).toBe('number');
  });

  it('answers undefined for a missing key and honours a custom key base', async () => {
    const index = createOutputIndex(redis, { keys: createRedisKeys('{mastercut}:test:idx:') });
    const rec = record();
    expect(await index.get(rec.key)).toBeUndefined();
    await index.set(rec);
    expect(await redis.exists(`{mastercut}:test:idx:out:${rec.key}`)).toBe(1);
    expect(await createOutputIndex(redis).get(rec.key)).toBeUndefined();
  });

  it('set replaces the whole record: fields absent from the new one are gone', async () => {
    const index = createOutputIndex(redis);
    const rec = record({ state: 'failed', error: 'FFMPEG_FAILED' });
    await index.set(rec);
    const { error: _error, ...rest } = rec;
    await index.set({ ...rest, state: 'done' });
    const back = await index.get(rec.key);
    expect(back!.state).toBe('done');
    expect(back).not.toHaveProperty('error');
  });

  it('update merges a patch, refreshes updatedAt and can clear optional fields', async () => {
    const index = createOutputIndex(redis);
    const rec = record({ state: 'rendering', size: undefined, storageKey: undefined, error: 'old failure' });
    await index.set(rec);
    const before = Date.now();
    expect(await index.update(rec.key, { state: 'done', size: 42, storageKey: 'renders/y.mp4', error: undefined })).toBe(true);
    const back = await index.get(rec.key);
    expect(back).toMatchObject({ state: 'done', size: 42, storageKey: 'renders/y.mp4', templateId: 'year-recap', campaignId: 'c1' });
    expect(back).not.toHaveProperty('error');
    expect(back!.updatedAt).toBeGreaterThanOrEqual(before);
  });

  it('update of a missing key changes nothing and says so', async () => {
    const index = createOutputIndex(redis);
    const k = key();
    expect(await index.update(k, { state: 'done' })).toBe(false);
    expect(await redis.exists(`{mastercut}:out:${k}`)).toBe(0);
  });

  it('refuses invalid records, patches and keys', async () => {
    const index = createOutputIndex(redis);
    const rec = record();
    await index.set(rec);
    expect(await codeOf(() => index.set({ ...rec, state: 'bogus' as OutputRecord['state'] }))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(() => index.set({ ...rec, size: -1 }))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(() => index.update(rec.key, { size: 1.5 }))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(() => index.set({ ...rec, key: '../etc' }))).toBe('INVALID_KEY');
    expect(await codeOf(() => index.get('*'))).toBe('INVALID_KEY');
    expect(await codeOf(() => index.update(`${rec.key}x`, { state: 'done' }))).toBe('INVALID_KEY');
    expect(await codeOf(() => index.delete('ABC'))).toBe('INVALID_KEY');
    expect(await index.get(rec.key)).toEqual(rec);
  });

  it('delete removes the record', async () => {
    const index = createOutputIndex(redis);
    const rec = record();
    await index.set(rec);
    expect(await index.delete(rec.key)).toBe(true);
    expect(await index.get(rec.key)).toBeUndefined();
    expect(await index.delete(rec.key)).toBe(false);
  });

  it('getMany returns records in order, undefined for the missing ones', async () => {
    const index = createOutputIndex(redis);
    const a = record();
    const b = record({ state: 'queued' });
    await index.set(a);
    await index.set(b);
    const missing = key();
    expect(await index.getMany([b.key, missing, a.key])).toEqual([b, undefined, a]);
    expect(await index.getMany([])).toEqual([]);
  });

  it('expires records after ttlSeconds, refreshed by update; none without the option', async () => {
    const plain = createOutputIndex(redis);
    const rec = record();
    await plain.set(rec);
    expect(await redis.ttl(`{mastercut}:out:${rec.key}`)).toBe(-1);

    const expiring = createOutputIndex(redis, { ttlSeconds: 100 });
    await expiring.set(rec);
    await redis.expire(`{mastercut}:out:${rec.key}`, 5);
    await expiring.update(rec.key, { state: 'failed' });
    const ttl = await redis.ttl(`{mastercut}:out:${rec.key}`);
    expect(ttl).toBeGreaterThan(5);
    expect(ttl).toBeLessThanOrEqual(100);
    expect(() => createOutputIndex(redis, { ttlSeconds: 0 })).toThrow(/ttlSeconds/);
  });

  it('keeps a done record in the compact listpack encoding: no key field, the storage key relative to the key', async () => {
    const index = createOutputIndex(redis);
    const rec = record({ templateVersion: '0123456789abcdef', campaignId: 'cmp_abcdefghijklmnopqrst', recipientId: undefined });
    rec.storageKey = `renders/${rec.key}.mp4`;
    await index.set(rec);
    const target = `{mastercut}:out:${rec.key}`;
    const raw = await redis.hgetall(target);
    expect(raw).not.toHaveProperty('key');
    expect(raw).not.toHaveProperty('storageKey');
    expect(raw['sk']).toBe('renders/*.mp4');
    // A 76-byte value would make it a hashtable (~1 KB a record), over hash-max-listpack-value.
    expect(await redis.object('ENCODING', target)).toBe('listpack');
    expect(Number(await redis.call('MEMORY', 'USAGE', target))).toBeLessThan(450);
    expect(await index.get(rec.key)).toEqual(rec);
    expect(await index.getMany([rec.key])).toEqual([rec]);
  });

  it('round-trips a deliverable storage key, and keeps literal the ones it cannot rewrite exactly', async () => {
    const index = createOutputIndex(redis);
    const deliverable = record({ name: 'poster.jpg' });
    deliverable.storageKey = `deliverables/${deliverable.key}/poster.jpg`;
    await index.set(deliverable);
    expect(await redis.hget(`{mastercut}:out:${deliverable.key}`, 'sk')).toBe('deliverables/*/poster.jpg');
    expect(await index.get(deliverable.key)).toEqual(deliverable);

    const starred = record();
    starred.storageKey = `odd/*/${starred.key}.mp4`;
    const twice = record();
    twice.storageKey = `${twice.key}/${twice.key}.mp4`;
    for (const rec of [starred, twice]) {
      await index.set(rec);
      expect(await redis.hget(`{mastercut}:out:${rec.key}`, 'storageKey')).toBe(rec.storageKey);
      expect(await index.get(rec.key)).toEqual(rec);
    }
  });

  it('update moves the storage key between its two fields and clears both', async () => {
    const index = createOutputIndex(redis);
    const rec = record({ state: 'rendering', storageKey: 'renders/elsewhere.mp4' });
    await index.set(rec);
    const target = `{mastercut}:out:${rec.key}`;
    expect(await index.update(rec.key, { state: 'done', storageKey: `renders/${rec.key}.webm` })).toBe(true);
    expect(await redis.hexists(target, 'storageKey')).toBe(0);
    expect((await index.get(rec.key))!.storageKey).toBe(`renders/${rec.key}.webm`);
    expect(await index.update(rec.key, { storageKey: 'renders/elsewhere.mp4' })).toBe(true);
    expect(await redis.hexists(target, 'sk')).toBe(0);
    expect((await index.get(rec.key))!.storageKey).toBe('renders/elsewhere.mp4');
    await index.update(rec.key, { storageKey: `renders/${rec.key}.mp4` });
    expect(await index.update(rec.key, { storageKey: undefined })).toBe(true);
    expect(await redis.hexists(target, 'sk')).toBe(0);
    expect(await index.get(rec.key)).not.toHaveProperty('storageKey');
  });

  it('still reads a record written before the compact layout (key field, literal storage key)', async () => {
    const index = createOutputIndex(redis);
    const k = key();
    await redis.hset(`{mastercut}:out:${k}`, { key: k, state: 'done', storageKey: `renders/${k}.mp4`, size: '9', templateId: 't', updatedAt: '1' });
    expect(await index.get(k)).toEqual({ key: k, state: 'done', storageKey: `renders/${k}.mp4`, size: 9, templateId: 't', updatedAt: 1 });
  });

  it('reports a corrupt hash as INTERNAL instead of returning garbage', async () => {
    const index = createOutputIndex(redis);
    const k = key();
    await redis.hset(`{mastercut}:out:${k}`, { state: 'done', size: 'many' });
    expect(await codeOf(() => index.get(k))).toBe('INTERNAL');
  });
});
