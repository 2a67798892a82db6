import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/errors/index.js';
import { eraseSubject, IN_FLIGHT_MARGIN_MS, recordSubject, wasKeyErasedSince, type EraseSubjectDeps } from '../../../src/live/index.js';
import { redisKeys, redisNowMs } from '../../../src/redis/index.js';
import { createOutputIndex, createRenderStreamWriter, processRenderJob, renderJobKey, type OutputIndex, type RenderJobContext } from '../../../src/renders/index.js';
import { createFileStore, type FileStore } from '../../../src/storage/index.js';
import { startTestRedis, type EmbeddedRedis } from '../../helpers/redis-server.js';

/**
 * An erasure's key tombstone and a render's start are read from one clock,
 * Redis's: a render of the erased key that began before the erasure is
 * refused, one that began after it (the same props for someone else) is
 * not, however soon after. No window of seconds is left for hosts' clocks.
 */
const ALICE = 'alice.clock@example.com';
const DATA = { templateId: 'year-recap', templateVersion: 'v1', variant: 'landscape', props: { firstName: 'Alice', nights: 3 }, format: 'mp4' as const, priorityClass: 'api' as const };
const KEY = renderJobKey(DATA);

let server: EmbeddedRedis;
let redis: Redis;
let dir: string;
let store: FileStore;
let index: OutputIndex;

beforeAll(async () => {
  server = await startTestRedis();
  redis = new Redis(server.url, { maxRetriesPerRequest: null });
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
  await server?.destroy();
});
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-erasure-clock-'));
  store = createFileStore({ root: dir });
  index = createOutputIndex(redis);
  await recordSubject(redis, ALICE, { renderKeys: [KEY] });
});
afterEach(async () => {
  await redis.flushdb();
  await rm(dir, { recursive: true, force: true });
});

/** `removeJobs` stands in for the queues; `onRemove` runs while the erasure removes the jobs. */
function deps(onRemove: () => Promise<number> = async () => 0): EraseSubjectDeps {
  return {
    redis,
    renders: { removeJobs: async () => ({ removed: 0, active: await onRemove() }) },
    store,
    outputIndex: index,
    storedProps: { delete: async () => false },
  };
}

const erase = () => eraseSubject(deps(), ALICE, { actor: 'clock-test' });
const tombstoneAt = async () => Number(await redis.get(redisKeys.keyTombstone(KEY)));

/** Waits until Redis's clock has passed `at` (ms): a state of that clock, read until it is reached. */
async function redisClockPast(at: number): Promise<number> {
  for (;;) {
    const now = await redisNowMs(redis);
    if (now > at) return now;
    // Far off (an in-flight margin): sleep most of the way; close, read again at once.
    if (at - now > 20) await new Promise((r) => setTimeout(r, at - now - 10));
  }
}

/** A render worker's context on Redis's clock, as workers/render.ts wires it. */
function context(during: () => Promise<unknown> = async () => undefined): RenderJobContext {
  return {
    renderVideo: (async (request: { out: string }) => {
      await during();
      await writeFile(request.out, 'fake mp4');
      return {};
    }) as unknown as RenderJobContext['renderVideo'],
    store,
    index,
    workDir: path.join(dir, 'work'),
    wasErased: (renderKey, startedAt) => wasKeyErasedSince(redis, renderKey, startedAt),
    clock: () => redisNowMs(redis),
  };
}

describe('erasure tombstones on Redis clock', () => {
  it('refuses a render begun before the erasure and not one begun a millisecond after it', async () => {
    const before = await redisNowMs(redis);
    await erase();
    const at = await tombstoneAt();
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(await redisNowMs(redis));

    expect(await wasKeyErasedSince(redis, KEY, before)).toBe(true);
    // The same millisecond cannot be told apart: refused.
    expect(await wasKeyErasedSince(redis, KEY, at)).toBe(true);
    const after = await redisClockPast(at);
    expect(after - at).toBeLessThan(1_000);
    expect(await wasKeyErasedSince(redis, KEY, after)).toBe(false);
  });

  it('covers a job a worker took while the erasure removed the jobs, and its start read up to IN_FLIGHT_MARGIN_MS later', async () => {
    let workerStart = 0;
    // The job is taken after the tombstones were first set: its render starts later than their time.
    await eraseSubject(
      deps(async () => {
        workerStart = await redisClockPast(await tombstoneAt());
        return 1;
      }),
      ALICE,
      { actor: 'clock-test' },
    );
    expect(workerStart).toBeGreaterThan(0);
    expect(await wasKeyErasedSince(redis, KEY, workerStart)).toBe(true);
    // A worker that took it then and stalled before it read its start is refused too, up to the margin
    // past the job's removal (bounds from the worker's own start and the erasure's answer: no timing).
    expect(await wasKeyErasedSince(redis, KEY, workerStart + IN_FLIGHT_MARGIN_MS - 1)).toBe(true);
    expect(await wasKeyErasedSince(redis, KEY, (await redisNowMs(redis)) + IN_FLIGHT_MARGIN_MS + 1)).toBe(false);
    // Past it, the same key renders again (someone else's).
    expect(await wasKeyErasedSince(redis, KEY, await redisClockPast(await tombstoneAt()))).toBe(false);
  });

  it('the render worker publishes a render of the key begun just after the erasure', async () => {
    await erase();
    await redisClockPast(await tombstoneAt());
    const result = await processRenderJob(context(), { id: KEY, data: DATA, attemptsMade: 0, attempts: 1 });
    expect(result).toMatchObject({ renderKey: KEY, skipped: false });
    expect(await store.head(result.storageKey)).toBeDefined();
    expect(await index.get(KEY)).toMatchObject({ state: 'done' });
  });

  it('the render worker refuses a render the erasure ran into', async () => {
    const refused = await processRenderJob(context(erase), { id: KEY, data: DATA, attemptsMade: 0, attempts: 1 }).catch((err: unknown) => err);
    expect(isAppError(refused, 'SUBJECT_ERASED')).toBe(true);
    expect(await store.head(`renders/${KEY}.mp4`)).toBeUndefined();
  });

  it('the live stream of a render begun before the erasure stops; one begun after it flows', async () => {
    const early = createRenderStreamWriter(redis, KEY, 1, await redisNowMs(redis), { flushMs: 1 });
    early.write(Buffer.from('first bytes'));
    await erase();
    early.write(Buffer.from('erased bytes'));
    await early.end();
    // The script saw the tombstone and deleted the stream: nothing of the erased render stays.
    expect(await redis.exists(redisKeys.renderStream(KEY))).toBe(0);

    const late = createRenderStreamWriter(redis, KEY, 1, await redisClockPast(await tombstoneAt()), { flushMs: 1 });
    late.write(Buffer.from('someone else'));
    await late.end();
    const entries = await redis.xrange(redisKeys.renderStream(KEY), '-', '+');
    expect(entries.map(([, fields]) => fields[0])).toEqual(['start', 'd', 'end']);
  });
});
