import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { renderKey } from '../../../src/cache/index.js';
import { createOutputIndex, findStoredByKey, lookupOutput, renderOutputKey, type OutputRecord } from '../../../src/renders/index.js';
import { redisKeys } from '../../../src/redis/index.js';
import { createFileStore, type FileStore } from '../../../src/storage/index.js';
import { startTestRedis, type EmbeddedRedis } from '../../helpers/redis-server.js';

/**
 * The done-record retention (OUTPUT_INDEX_DONE_TTL_S): done records expire,
 * the others do not, and a reader that misses a record finds the output in
 * the store and re-creates the record, unless the key was erased.
 */
let server: EmbeddedRedis;
let redis: Redis;
let dir: string;
let store: FileStore;
let counter = 0;

beforeAll(async () => {
  server = await startTestRedis();
  redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
  dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-index-retention-'));
  store = createFileStore({ root: path.join(dir, 'storage') });
});
afterAll(async () => {
  redis?.disconnect();
  await server?.destroy();
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await redis.flushdb();
});

function key(): string {
  counter++;
  return renderKey({ templateId: 't', templateVersion: 'v', variant: 'landscape', props: { n: counter } });
}

function record(state: OutputRecord['state'], k = key()): OutputRecord {
  return { key: k, state, templateId: 'year-recap', updatedAt: Date.now(), ...(state === 'done' ? { storageKey: renderOutputKey(k, 'mp4'), size: 9, contentType: 'video/mp4' } : {}) };
}

const ttlOf = (k: string) => redis.ttl(redisKeys.output(k));

async function untilGone(k: string): Promise<void> {
  while ((await redis.exists(redisKeys.output(k))) === 1) await new Promise((resolve) => setTimeout(resolve, 50));
}

describe('done-record retention', () => {
  it('expires a record once it is done; queued, rendering and failed records keep no TTL', async () => {
    const index = createOutputIndex(redis, { doneTtlSeconds: 1 });
    const k = key();
    await index.set(record('rendering', k));
    expect(await ttlOf(k)).toBe(-1);
    await index.set(record('done', k));
    expect(await ttlOf(k)).toBe(1);
    await untilGone(k);
    expect(await index.get(k)).toBeUndefined();

    const failed = record('failed');
    await index.set(failed);
    expect(await ttlOf(failed.key)).toBe(-1);
  });

  it('update to done sets the retention; leaving done removes it (a re-render never expires mid-way)', async () => {
    const index = createOutputIndex(redis, { doneTtlSeconds: 600 });
    const k = key();
    await index.set(record('rendering', k));
    await index.update(k, { state: 'done', storageKey: renderOutputKey(k, 'mp4') });
    expect(await ttlOf(k)).toBeGreaterThan(590);
    await index.update(k, { size: 10 });
    expect(await ttlOf(k)).toBeGreaterThan(590);
    await index.update(k, { state: 'queued' });
    expect(await ttlOf(k)).toBe(-1);
  });

  it('keeps done records forever with 0 or without the option', async () => {
    for (const index of [createOutputIndex(redis), createOutputIndex(redis, { doneTtlSeconds: 0 })]) {
      const r = record('done');
      await index.set(r);
      expect(await ttlOf(r.key)).toBe(-1);
    }
  });

  it('restore re-creates a done record with the retention, leaves an existing one, refuses an erased key', async () => {
    const index = createOutputIndex(redis, { doneTtlSeconds: 600 });
    const r = record('done');
    const { templateId: _unknown, ...byKeyOnly } = r;
    expect(await index.restore(byKeyOnly)).toBe('restored');
    expect(await index.get(r.key)).toMatchObject({ state: 'done', storageKey: r.storageKey, size: 9 });
    expect(await ttlOf(r.key)).toBeGreaterThan(590);
    expect(await index.restore({ ...r, size: 1 })).toBe('exists');
    expect((await index.get(r.key))?.size).toBe(9);

    const erased = record('done');
    await redis.set(redisKeys.keyTombstone(erased.key), String(Date.now()));
    expect(await index.restore(erased)).toBe('erased');
    expect(await index.get(erased.key)).toBeUndefined();
  });
});

describe('the store fallback', () => {
  const put = (storageKey: string) => store.put(storageKey, Readable.from([Buffer.from('stub mp4\n')]), { contentType: 'video/mp4' });

  it('finds an output whose record expired, at the derived storage key, and re-creates the record', async () => {
    const index = createOutputIndex(redis, { doneTtlSeconds: 1 });
    const r = record('done');
    await put(r.storageKey!);
    await index.set(r);
    await untilGone(r.key);

    expect(await lookupOutput({ index, store }, r.key, r.storageKey, { templateId: 'year-recap' })).toMatchObject({ size: 9 });
    expect(await index.get(r.key)).toMatchObject({ state: 'done', storageKey: r.storageKey, templateId: 'year-recap' });
    // Nothing stored, nothing found (and no record made up).
    const missing = key();
    expect(await lookupOutput({ index, store }, missing, renderOutputKey(missing, 'mp4'))).toBeUndefined();
    expect(await index.get(missing)).toBeUndefined();
  });

  it('finds a master by its key alone, in any format', async () => {
    const index = createOutputIndex(redis, { doneTtlSeconds: 600 });
    const k = key();
    await put(renderOutputKey(k, 'webm'));
    const found = await findStoredByKey({ index, store }, k);
    expect(found.info?.size).toBe(9);
    expect(found.record).toMatchObject({ state: 'done', storageKey: renderOutputKey(k, 'webm') });
    expect(await index.get(k)).toMatchObject({ state: 'done', storageKey: renderOutputKey(k, 'webm') });
  });

  it('never serves nor re-creates an erased key, even before its objects are deleted', async () => {
    const index = createOutputIndex(redis, { doneTtlSeconds: 600 });
    const k = key();
    await put(renderOutputKey(k, 'mp4'));
    await redis.set(redisKeys.keyTombstone(k), String(Date.now()));
    expect(await lookupOutput({ index, store }, k, renderOutputKey(k, 'mp4'))).toBeUndefined();
    expect((await findStoredByKey({ index, store }, k)).info).toBeUndefined();
    expect(await index.get(k)).toBeUndefined();
  });

  it('an index without restore (a test double) never falls back', async () => {
    const index = createOutputIndex(redis);
    const k = key();
    await put(renderOutputKey(k, 'mp4'));
    expect(await lookupOutput({ index: { get: index.get }, store }, k, renderOutputKey(k, 'mp4'))).toBeUndefined();
  });
});
