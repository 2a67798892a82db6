import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deliverableKey, renderKey } from '../../../src/cache/index.js';
import { createOutputIndex, createRenders, type OutputIndex } from '../../../src/renders/index.js';
import { isAppError } from '../../../src/errors/index.js';
import {
  createStoredProps,
  eraseSubject,
  IN_FLIGHT_MARGIN_MS,
  isErased,
  recordSubject,
  subjectHash,
  wasKeyErasedSince,
  type EraseSubjectDeps,
  type StoredProps,
} from '../../../src/live/index.js';
import { redisKeys, redisNowMs } from '../../../src/redis/index.js';
import { createFileStore, type FileStore } from '../../../src/storage/index.js';
import { startTestRedis, type EmbeddedRedis } from '../../helpers/redis-server.js';

const ALICE = 'alice.erased@example.com';
const BOB = 'bob.kept@example.com';

let server: EmbeddedRedis;
let redis: Redis;
let workerRedis: Redis;
let dir: string;
let store: FileStore;
let outputIndex: OutputIndex;
let storedProps: StoredProps;
let queue: Queue;
let transcode: Queue;

beforeAll(async () => {
  server = await startTestRedis();
  redis = new Redis(server.url, { maxRetriesPerRequest: null });
  workerRedis = new Redis(server.url, { maxRetriesPerRequest: null });
});
afterAll(async () => {
  redis?.disconnect();
  workerRedis?.disconnect();
  await server?.stop();
  await server?.destroy();
});
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-erase-'));
  store = createFileStore({ root: dir });
  outputIndex = createOutputIndex(redis);
  storedProps = createStoredProps(redis, { ttlSeconds: 3600 });
  queue = new Queue(`render-${randomUUID()}`, { connection: redis, prefix: '{mastercut}' });
  transcode = new Queue(`transcode-${randomUUID()}`, { connection: redis, prefix: '{mastercut}' });
});
afterEach(async () => {
  await queue.close();
  await transcode.close();
  await redis.flushdb();
  await rm(dir, { recursive: true, force: true });
});

function deps(): EraseSubjectDeps {
  return { redis, renders: createRenders({ queue, transcodeQueue: transcode, redis, index: outputIndex, store }), store, outputIndex, storedProps };
}

/** A recipient's render: its job, its stored master and deliverable, their index entries, stored props. */
async function seedRecipient(recipientId: string, name: string) {
  const props = { firstName: name, nights: name.length };
  const keyA = renderKey({ templateId: 'year-recap', templateVersion: 'v1', variant: 'landscape', props });
  const keyB = renderKey({ templateId: 'year-recap', templateVersion: 'v1', variant: 'portrait', props });
  const deliverable = deliverableKey(keyA, { channel: 'email' });
  for (const [key, storageKey] of [
    [keyA, `renders/${keyA}.mp4`],
    [keyB, `renders/${keyB}.mp4`],
    [deliverable, `deliverables/${deliverable}.mp4`],
  ] as const) {
    await store.put(storageKey, Readable.from([Buffer.from(`video of ${name}`)]), { contentType: 'video/mp4' });
    await outputIndex.set({ key, state: 'done', storageKey, size: 10, contentType: 'video/mp4', templateId: 'year-recap', updatedAt: Date.now() });
  }
  await store.put(`renders/${keyA}.jpg`, Readable.from([Buffer.from('poster')]), { contentType: 'image/jpeg' });
  await queue.add('render', { props }, { jobId: keyA });
  await queue.add('render', { props }, { jobId: keyB, delay: 60_000 });
  await transcode.add('transcode', { key: deliverable }, { jobId: deliverable });
  const propsId = await storedProps.put(props, { recipientId });
  await recordSubject(redis, recipientId, { renderKeys: [keyA, keyB], deliverableKeys: [deliverable] });
  return { keyA, keyB, deliverable, propsId };
}

describe('eraseSubject', () => {
  it('erases outputs, index entries, stored props and pending jobs, and audits without personal data', async () => {
    const alice = await seedRecipient(ALICE, 'Alice');
    const bob = await seedRecipient(BOB, 'Bob');

    const result = await eraseSubject(deps(), ALICE, { actor: 'api-key:ops-1', now: 1_800_000_000_000 });

    expect(result).toEqual({
      subject: subjectHash(ALICE),
      counts: { jobs: 3, activeJobs: 0, outputs: 4, indexEntries: 3, storedProps: 1, events: 0, aggregateEntries: 0, conversions: 0, clickRefs: 0, webhookEvents: 0, profiles: 0, connectorCopies: 0 },
    });
    for (const key of [`renders/${alice.keyA}.mp4`, `renders/${alice.keyA}.jpg`, `renders/${alice.keyB}.mp4`, `deliverables/${alice.deliverable}.mp4`]) {
      expect(await store.head(key), key).toBeUndefined();
    }
    for (const key of [alice.keyA, alice.keyB, alice.deliverable]) expect(await outputIndex.get(key)).toBeUndefined();
    expect(await storedProps.get(alice.propsId)).toBeUndefined();
    expect(await queue.getJob(alice.keyA)).toBeUndefined();
    expect(await queue.getJob(alice.keyB)).toBeUndefined();
    expect(await transcode.getJob(alice.deliverable)).toBeUndefined();

    // Bob is untouched.
    expect(await store.head(`renders/${bob.keyA}.mp4`)).toBeDefined();
    expect(await outputIndex.get(bob.deliverable)).toBeDefined();
    expect(await storedProps.get(bob.propsId)).toEqual({ firstName: 'Bob', nights: 3 });
    expect(await queue.getJob(bob.keyA)).toBeDefined();
    expect(await isErased(redis, { recipientId: BOB })).toBe(false);

    // Tombstone and audit.
    expect(await isErased(redis, { recipientId: ALICE })).toBe(true);
    expect(await isErased(redis, { subjectHash: subjectHash(ALICE) })).toBe(true);
    expect(await redis.ttl(`{mastercut}:tomb:${subjectHash(ALICE)}`)).toBeGreaterThan(300 * 86_400);
    const audit = await redis.xrange(redisKeys.audit, '-', '+');
    expect(audit).toHaveLength(1);
    const fields = Object.fromEntries(chunk(audit[0]![1]));
    expect(fields).toEqual({
      at: '2027-01-15T08:00:00.000Z',
      actor: 'api-key:ops-1',
      action: 'erase',
      subject: subjectHash(ALICE),
      counts: JSON.stringify(result.counts),
    });
    const everything = JSON.stringify(audit) + (await redis.keys('*')).join(' ');
    expect(everything).not.toContain('alice');
    expect(everything).not.toContain('Alice');
  });

  it('is idempotent: a second call succeeds, reports zeros and is audited too', async () => {
    await seedRecipient(ALICE, 'Alice');
    await eraseSubject(deps(), ALICE, { actor: 'ops' });
    const again = await eraseSubject(deps(), ALICE, { actor: 'ops' });
    expect(again.counts).toEqual({ jobs: 0, activeJobs: 0, outputs: 0, indexEntries: 0, storedProps: 0, events: 0, aggregateEntries: 0, conversions: 0, clickRefs: 0, webhookEvents: 0, profiles: 0, connectorCopies: 0 });
    expect(await redis.xlen(redisKeys.audit)).toBe(2);
    // Never recorded at all: still fine.
    expect((await eraseSubject(deps(), 'nobody', { actor: 'ops' })).counts.jobs).toBe(0);
  });

  it('refuses new records for an erased subject', async () => {
    await eraseSubject(deps(), ALICE, { actor: 'ops' });
    const key = renderKey({ templateId: 't', templateVersion: 'v', variant: 'x', props: {} });
    const refused = await recordSubject(redis, ALICE, { renderKeys: [key] }).catch((err: unknown) => err);
    expect(isAppError(refused, 'SUBJECT_ERASED')).toBe(true);
    expect(isAppError(await storedProps.put({ a: 1 }, { recipientId: ALICE }).catch((err: unknown) => err), 'SUBJECT_ERASED')).toBe(true);
    expect(await redis.exists(`{mastercut}:subject:${subjectHash(ALICE)}`)).toBe(0);
  });

  it('cannot remove an active job, but tombstones its key so the worker does not publish', async () => {
    const alice = await seedRecipient(ALICE, 'Alice');
    const worker = new Worker(queue.name, null, { connection: workerRedis, prefix: '{mastercut}', autorun: false });
    try {
      const startedAt = await redisNowMs(redis);
      const active = await worker.getNextJob('lock-token');
      expect(active?.id).toBe(alice.keyA);

      const result = await eraseSubject(deps(), ALICE, { actor: 'ops' });
      // keyB (delayed) and the transcode job go; the active one stays, locked.
      expect(result.counts).toMatchObject({ jobs: 2, activeJobs: 1 });
      expect(await queue.getJob(alice.keyA)).toBeDefined();
      expect(await wasKeyErasedSince(redis, alice.keyA, startedAt)).toBe(true);
      // One was in flight: a render of the key is refused until IN_FLIGHT_MARGIN_MS past the erase,
      // and may publish after it (someone else's; test/integration/live/erasure-clock.test.ts).
      // (Bounds from before the erase and after its answer: no timing.)
      expect(await wasKeyErasedSince(redis, alice.keyA, startedAt + IN_FLIGHT_MARGIN_MS - 1)).toBe(true);
      expect(await wasKeyErasedSince(redis, alice.keyA, (await redisNowMs(redis)) + IN_FLIGHT_MARGIN_MS + 1)).toBe(false);
      const other = renderKey({ templateId: 't', templateVersion: 'v', variant: 'x', props: {} });
      expect(await wasKeyErasedSince(redis, other, startedAt)).toBe(false);
    } finally {
      await worker.close(true);
    }
  });

  it('refuses an invalid actor before doing anything', async () => {
    await seedRecipient(ALICE, 'Alice');
    const refused = await eraseSubject(deps(), ALICE, { actor: '' }).catch((err: unknown) => err);
    expect(isAppError(refused, 'INVALID_ARGUMENT')).toBe(true);
    expect(await isErased(redis, { recipientId: ALICE })).toBe(false);
  });
});

function chunk(flat: string[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i]!, flat[i + 1]!]);
  return pairs;
}
