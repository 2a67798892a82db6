import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe } from '../../src/encode/index.js';
import { redisKeys, redisNowMs } from '../../src/redis/index.js';
import { createFarmProbe, createLiveLinks, listFiles, rawGet, until, type CreatedLink, type FarmProbe, type RawResponse } from '../helpers/live-farm.js';
import { startTestRedis, type EmbeddedRedis } from '../helpers/redis-server.js';
import { startApiProcess, startTranscodeProcess, startWorkerProcess, untilReady, type WorkerChild, stopFarmProcesses } from '../helpers/worker-process.js';

/**
 * `DELETE /v1/subjects/:recipientId` against a real farm: erasing a subject
 * while its render is in flight leaves nothing published, and erasing after
 * a render removes its outputs and stored props. Idempotent and audited
 * without personal data.
 */

const IN_FLIGHT_SUBJECT = 'inflight-4711@example.com';
const DONE_SUBJECT = 'done-0815@example.com';

let redis: EmbeddedRedis;
let dir: string;
let storeRoot: string;
let api: WorkerChild & { url: string };
let worker: WorkerChild;
let farm: FarmProbe;
const children: WorkerChild[] = [];

beforeAll(async () => {
  redis = await startTestRedis();
  dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-erasure-'));
  storeRoot = path.join(dir, 'storage');
  const common = { redisUrl: redis.url, storeRoot };
  // The API first: its start has a deadline, and the workers' browsers compete for the same 2 cores.
  api = await startApiProcess(common);
  children.push(api);
  worker = startWorkerProcess({ ...common, args: ['--eviction-check', 'warn'] });
  const transcoder = startTranscodeProcess({ ...common, args: ['--eviction-check', 'warn'] });
  children.push(worker, transcoder);
  await Promise.all([untilReady(worker, 90_000), untilReady(transcoder)]);
  farm = createFarmProbe(redis.url);
}, 120_000);

afterAll(async () => {
  await farm?.close();
  await stopFarmProcesses(children);
  await redis?.destroy();
  await rm(dir, { recursive: true, force: true });
});

const erase = async (recipientId: string) => {
  const res = await fetch(`${api.url}/v1/subjects/${encodeURIComponent(recipientId)}`, { method: 'DELETE', headers: { authorization: 'Bearer farm-key' } });
  return { status: res.status, body: (await res.json()) as { erased: boolean; subject: string; counts: Record<string, number> } };
};
const hashOf = (id: string) => createHash('sha256').update(id).digest('hex');
const ZERO = { jobs: 0, activeJobs: 0, outputs: 0, indexEntries: 0, storedProps: 0, events: 0, aggregateEntries: 0, conversions: 0, clickRefs: 0, webhookEvents: 0, profiles: 0, connectorCopies: 0 };
/** Files of the store that belong to a key (renders/<key>.mp4, deliverables/<key>...). */
const filesOf = async (key: string) => (await listFiles(storeRoot)).filter((f) => f.includes(key));
const streamKey = (key: string) => `{mastercut}:stream:${key}`;
/** Render keys of the erased subjects' renders, for the stream check at the end. */
const erasedKeys: string[] = [];
let erasureDoneAt = 0;

/** Waits until a link answers `status` (opened links are memoised in the API for up to 2 s). */
const untilStatus = (url: string, status: number) =>
  until(async () => ((await rawGet(api.url, url)).status === status ? true : undefined), 5_000, `${url} to answer ${status}`).then(() => status);

describe('erasing a subject while its render is in flight', () => {
  let link: CreatedLink;
  let key: string;
  let cold: Promise<RawResponse>;

  it('answers 200 with counts, and the render publishes nothing afterwards', async () => {
    [link] = (await createLiveLinks(api.url, { templateId: 'reference', channels: ['web'], props: { name: 'In Flight', points: 1 }, recipientId: IN_FLIGHT_SUBJECT })) as [CreatedLink];
    cold = rawGet(api.url, link.assets.video);
    const active = await until(async () => (await farm.renderJobs()).find((j) => j.state === 'active'), 60_000, 'the render to be active');
    key = active.id;
    // Bytes are on their way to the client: the render is really under way.
    await until(
      async () => (await farm.redis.xrangeBuffer(streamKey(key), '-', '+')).some(([, fields]) => fields[0]!.toString() === 'd'),
      60_000,
      'the first streamed bytes',
    );

    erasedKeys.push(key);
    const first = await erase(IN_FLIGHT_SUBJECT);
    erasureDoneAt = Date.now();
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ erased: true, subject: hashOf(IN_FLIGHT_SUBJECT) });
    // The active job cannot be removed: its key tombstone stops it from publishing.
    expect(first.body.counts).toMatchObject({ jobs: 0, activeJobs: 1, outputs: 0, storedProps: 0 });
    expect(first.body.counts.indexEntries).toBeLessThanOrEqual(1);

    const job = await until(
      async () => {
        const state = (await (await farm.render.getJob(key))?.getState()) ?? 'gone';
        // Read the job again once it settled: an object fetched while it was active has no failedReason.
        return state === 'failed' || state === 'completed' || state === 'gone' ? { state, reason: (await farm.render.getJob(key))?.failedReason } : undefined;
      },
      90_000,
      'the render to finish',
    );
    // It ran to the end and was refused at publication.
    expect(job.state).toBe('failed');
    expect(job.reason).toMatch(/erased/);

    // Nothing published: no file, no done record, and the link's assets are gone for good.
    expect(await filesOf(key)).toEqual([]);
    expect((await farm.index.get(key))?.state).not.toBe('done');
    // The client that was streaming saw its response cut, never a complete video.
    const streamed = await cold;
    expect(streamed.status === 200 && streamed.aborted === undefined, `status ${streamed.status}, aborted ${streamed.aborted}`).toBe(false);
  }, 150_000);

  it('the link now answers 410, and no new link is made for the subject', async () => {
    expect(key).toBeDefined();
    expect(await untilStatus(link.url, 410)).toBe(410);
    for (const asset of [link.assets.video, link.assets.poster, `${link.url}/status`]) {
      const res = await rawGet(api.url, asset);
      expect(res.status, asset).toBe(410);
      expect(JSON.parse(res.body.toString())).toMatchObject({ code: 'SUBJECT_ERASED' });
    }
    const again = await fetch(`${api.url}/v1/live-links`, {
      method: 'POST',
      headers: { authorization: 'Bearer farm-key', 'content-type': 'application/json' },
      body: JSON.stringify({ templateId: 'reference', channels: ['web'], props: { name: 'In Flight', points: 1 }, recipientId: IN_FLIGHT_SUBJECT }),
    });
    expect(again.status).toBe(410);
    // Still nothing in the store for that key, after all these requests.
    expect(await filesOf(key)).toEqual([]);
    expect(await farm.renderJobs()).toEqual([{ id: key, state: 'failed' }]);
  });

  it('a second DELETE answers 200 with zero counts', async () => {
    const second = await erase(IN_FLIGHT_SUBJECT);
    expect(second.status).toBe(200);
    expect(second.body).toEqual({ erased: true, subject: hashOf(IN_FLIGHT_SUBJECT), counts: ZERO });
  });

  it('the audit stream records each erasure without the recipient id', async () => {
    const entries = await farm.redis.xrange('{mastercut}:audit', '-', '+');
    const mine = entries.map(([, fields]) => Object.fromEntries(fields.reduce<[string, string][]>((acc, v, i, all) => (i % 2 === 0 ? [...acc, [v, all[i + 1]!]] : acc), [])));
    const forSubject = mine.filter((e) => e.subject === hashOf(IN_FLIGHT_SUBJECT));
    expect(forSubject).toHaveLength(2);
    for (const entry of forSubject) {
      expect(entry).toMatchObject({ action: 'erase', subject: hashOf(IN_FLIGHT_SUBJECT) });
      expect(Number.isNaN(Date.parse(entry.at!))).toBe(false);
      // Who: the API key by a hash, never the key itself.
      expect(entry.actor).toMatch(/^apikey:[0-9a-f]{12}$/);
      expect(JSON.parse(entry.counts!)).toEqual(expect.objectContaining({ activeJobs: expect.any(Number) }));
    }
    const raw = JSON.stringify(entries);
    expect(raw).not.toContain(IN_FLIGHT_SUBJECT);
    expect(raw).not.toContain('inflight-4711');
    expect(raw).not.toContain('farm-key');
    expect(raw).not.toContain('In Flight');
  });
});

describe('erasing a subject after its render', () => {
  let link: CreatedLink;
  let key: string;

  it('removes its outputs, index entries, finished jobs and stored props', async () => {
    [link] = (await createLiveLinks(api.url, {
      templateId: 'reference',
      channels: ['web'],
      props: { name: 'Done Deal', points: 2 },
      recipientId: DONE_SUBJECT,
      storeProps: true,
    })) as [CreatedLink];
    const video = await rawGet(api.url, link.assets.video);
    expect(video.status).toBe(200);
    key = (await farm.renderJobs())[0]!.id;
    await until(async () => (await farm.index.get(key))?.state === 'done', 20_000, 'the master published');
    const poster = await rawGet(api.url, link.assets.poster);
    expect(poster.status).toBe(200);
    expect(poster.headers['content-type']).toBe('image/jpeg');

    const before = await filesOf(key);
    expect(before).toContain(`renders/${key}.mp4`);
    expect(before.length).toBeGreaterThanOrEqual(2);
    expect(await farm.redis.keys('{mastercut}:props:*')).toHaveLength(1);

    erasedKeys.push(key);
    const result = await erase(DONE_SUBJECT);
    expect(result.status).toBe(200);
    expect(result.body.subject).toBe(hashOf(DONE_SUBJECT));
    expect(result.body.counts).toMatchObject({ activeJobs: 0, storedProps: 1 });
    expect(result.body.counts.outputs).toBeGreaterThanOrEqual(before.length);
    expect(result.body.counts.indexEntries).toBeGreaterThanOrEqual(2);
    // The finished render job: its data holds the props (done transcode jobs are not kept).
    expect(result.body.counts.jobs).toBeGreaterThanOrEqual(1);

    expect(await filesOf(key)).toEqual([]);
    expect(await farm.index.get(key)).toBeUndefined();
    expect(await farm.redis.keys('{mastercut}:props:*')).toEqual([]);
    expect(await farm.render.getJob(key)).toBeUndefined();
    expect(await farm.transcode.getJobCounts()).toMatchObject({ waiting: 0, active: 0, completed: 0, failed: 0, prioritized: 0, delayed: 0 });
    expect(await untilStatus(link.assets.video, 410)).toBe(410);
    expect((await rawGet(api.url, link.url)).status).toBe(410);
    expect((await erase(DONE_SUBJECT)).body.counts).toEqual(ZERO);
  }, 120_000);
});

describe('the live byte stream of an erased render', () => {
  it('is gone from Redis once the subject is erased (in flight or finished)', async () => {
    // A live render streams its MP4 through `{mastercut}:stream:<key>` (kept 300 s for late joiners):
    // that is the subject's video, and it must not outlive the erasure.
    expect(erasedKeys).toHaveLength(2);
    const leftovers: string[] = [];
    for (const key of erasedKeys) {
      if (await farm.redis.exists(streamKey(key))) leftovers.push(`${streamKey(key)}: ${await farm.redis.xlen(streamKey(key))} entries, TTL ${await farm.redis.ttl(streamKey(key))} s`);
    }
    expect(leftovers).toEqual([]);
  });

  it('carries no byte of the erased video after the erasure answered', async () => {
    // The erased render ran on to its end; its frames must not keep flowing to streaming clients.
    // (Entry ids are Redis server milliseconds; same host, so one clock. 1 s of slack for a flush in flight.)
    const key = erasedKeys[0]!;
    const after = await farm.redis.xrangeBuffer(streamKey(key), String(erasureDoneAt + 1_000), '+');
    const chunks = after.filter(([, fields]) => fields[0]!.toString() === 'd');
    const bytes = chunks.reduce((n, [, fields]) => n + fields[1]!.length, 0);
    expect({ chunks: chunks.length, bytes }).toEqual({ chunks: 0, bytes: 0 });
  });

  it('does not spoil a later render of the same props for someone else', async () => {
    // Same props, no recipient: the same render key as the erased in-flight render. A render that
    // begins after the key's tombstone is not affected by it (wasKeyErasedSince: the tombstone and the
    // render's start are both on Redis's clock), and its cold stream must be its own bytes, not a
    // replay of the erased render's stream (which ended in an error).
    const key = erasedKeys[0]!;
    expect(key).toBeDefined();
    // A render of it was in flight, so the tombstone reaches IN_FLIGHT_MARGIN_MS past the erasure: wait
    // until Redis's clock has passed it (a state read from Redis, not a guess at the margin).
    const tombstone = Number(await farm.redis.get(redisKeys.keyTombstone(key)));
    expect(tombstone).toBeGreaterThan(0);
    await until(async () => ((await redisNowMs(farm.redis)) > tombstone ? true : undefined), 30_000, 'Redis\'s clock past the key tombstone');
    const [other] = await createLiveLinks(api.url, { templateId: 'reference', channels: ['web'], props: { name: 'In Flight', points: 1 } });
    const res = await rawGet(api.url, other!.assets.video);
    expect(res.status).toBe(200);
    expect(res.headers['x-mastercut-stream']).toBe('live');
    expect(res.aborted, 'the cold stream was cut').toBeUndefined();
    const file = path.join(dir, 'someone-else.mp4');
    await writeFile(file, res.body);
    expect((await probe(file, { countFrames: true })).video).toMatchObject({ codec: 'h264', frames: 150 });
    await until(async () => (await farm.index.get(key))?.state === 'done', 20_000, 'the new render published');
    // The object and its hidden sidecar (content type and hash): nothing else, nothing left from the erased render.
    expect((await filesOf(key)).filter((f) => !path.basename(f).startsWith('.'))).toEqual([`renders/${key}.mp4`]);
  }, 120_000);
});
