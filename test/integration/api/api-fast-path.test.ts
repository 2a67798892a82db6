import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../../src/api/main.js';
import { createOutputIndex, type OutputIndex } from '../../../src/renders/index.js';
import { redisKeys } from '../../../src/redis/index.js';
import { createDefaultRegistry } from '../../../src/pipeline/index.js';
import { loadConfig } from '../../../src/config/index.js';
import { prepareRenderJob } from '../../../src/renders/prepare-render-job.js';
import { createFileStore, type FileStore } from '../../../src/storage/index.js';
import { startTestRedis, type EmbeddedRedis } from '../../helpers/redis-server.js';
import { TEST_LIVE_KEYS } from '../../helpers/worker-process.js';

/**
 * The fast path in front of Express (src/api/fast-path): a cached file whose
 * route checked it within the memo is answered from memory, exactly as the
 * route answers it. Two API servers share one Redis and one store: `hot`
 * (fast path on) and `plain` (off); every hot answer is compared with the
 * plain one, and the cache's hit counter proves which path answered.
 */
const MEMO_MS = 2_000;
const API_KEY = 'fast-path-key';

let redis: EmbeddedRedis;
let dir: string;
let hot: ApiServer;
let plain: ApiServer;
let store: FileStore;
let index: OutputIndex;
let indexConnection: Redis;
const logLines: string[] = [];

const hits = () => hot.fastPath!.cache.stats().hits;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Status, headers (less those that differ per response) and body. */
async function answer(res: Response) {
  const headers = Object.fromEntries([...res.headers].filter(([name]) => !['date', 'x-request-id', 'keep-alive', 'connection'].includes(name)));
  return { status: res.status, headers, body: Buffer.from(await res.arrayBuffer()).toString('base64') };
}

/** Makes `route` freshly hot: forgotten, one request through the route (a full memo), then its bytes loaded. */
async function warm(route: string): Promise<void> {
  hot.fastPath!.cache.clear();
  await (await fetch(`${hot.url}${route}`)).arrayBuffer();
  await expect.poll(async () => {
    const before = hits();
    await (await fetch(`${hot.url}${route}`)).arrayBuffer();
    return hits() - before;
  }).toBe(1);
}

/** Asks both servers; the hot one must answer from memory, with what the plain one answers. */
async function compare(route: string, init: RequestInit = {}) {
  await warm(route);
  const before = hits();
  const fromMemory = await answer(await fetch(`${hot.url}${route}`, init));
  expect(hits() - before).toBe(1);
  const fromRoute = await answer(await fetch(`${plain.url}${route}`, init));
  expect(fromMemory).toEqual(fromRoute);
  return fromMemory;
}

async function putOutput(key: string, bytes: Buffer, extra: Record<string, string> = {}) {
  const storageKey = `renders/${key}.mp4`;
  const info = await store.put(storageKey, Readable.from([bytes]), { contentType: 'video/mp4' });
  await index.set({ key, state: 'done', storageKey, size: info.size, contentType: 'video/mp4', templateId: 'reference', updatedAt: Date.now(), ...extra });
  return info;
}

beforeAll(async () => {
  redis = await startTestRedis();
  dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-fast-path-'));
  const env = {
    ...process.env,
    REDIS_URL: redis.url,
    API_KEYS: API_KEY,
    STORAGE_ROOT: path.join(dir, 'storage'),
    MASTERCUT_CACHE_DIR: '.cache/test',
    LIVE_KEYS: TEST_LIVE_KEYS,
  };
  const config = loadConfig(env);
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  hot = await startApiServer(config, { port: 0, host: '127.0.0.1', logger: pino({ level: 'info' }, sink), fastPath: { memoMs: MEMO_MS } });
  plain = await startApiServer(config, { port: 0, host: '127.0.0.1', logger: pino({ level: 'silent' }), fastPath: false });
  store = createFileStore({ root: path.join(dir, 'storage') });
  indexConnection = new Redis(redis.url);
  index = createOutputIndex(indexConnection);
}, 60_000);

afterAll(async () => {
  await hot?.close();
  await plain?.close();
  indexConnection?.disconnect();
  await redis?.destroy();
  await rm(dir, { recursive: true, force: true });
});

describe('fast path: /v1/outputs/:key', () => {
  const key = 'a1'.repeat(32);
  const bytes = randomBytes(150_000);
  let etag: string;
  beforeAll(async () => {
    etag = (await putOutput(key, bytes)).etag;
  });

  it('answers GET, HEAD, 304, 206 and 416 from memory exactly as the route does', async () => {
    const route = `/v1/outputs/${key}`;
    const full = await compare(route);
    expect(full.status).toBe(200);
    expect(Buffer.from(full.body, 'base64').equals(bytes)).toBe(true);
    expect(full.headers).toMatchObject({ 'content-length': '150000', 'cache-control': 'public, max-age=31536000, immutable', etag, 'accept-ranges': 'bytes' });

    expect((await compare(route, { method: 'HEAD' })).body).toBe('');
    expect((await compare(route, { headers: { 'if-none-match': etag } })).status).toBe(304);
    expect((await compare(route, { headers: { 'if-none-match': `"other", W/${etag}` } })).status).toBe(304);

    const part = await compare(route, { headers: { range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe('bytes 100-199/150000');
    expect(Buffer.from(part.body, 'base64').equals(bytes.subarray(100, 200))).toBe(true);
    expect((await compare(route, { headers: { range: 'bytes=-10' } })).headers['content-range']).toBe('bytes 149990-149999/150000');
    expect((await compare(route, { headers: { range: 'bytes=149000-' } })).headers['content-length']).toBe('1000');
    expect((await compare(route, { method: 'HEAD', headers: { range: 'bytes=0-9' } })).status).toBe(206);

    const unsatisfiable = await compare(route, { headers: { range: 'bytes=999999-' } });
    expect(unsatisfiable.status).toBe(416);
    expect(unsatisfiable.headers['content-range']).toBe('bytes */150000');
    // A multi-range request and a stale If-Range get the whole object.
    expect((await compare(route, { headers: { range: 'bytes=0-1,5-6' } })).status).toBe(200);
    expect((await compare(route, { headers: { range: 'bytes=0-9', 'if-range': '"stale"' } })).status).toBe(200);
    expect((await compare(route, { headers: { range: 'bytes=0-9', 'if-range': etag } })).status).toBe(206);
  });

  it('echoes a safe X-Request-Id, replaces an unsafe one, and logs the request', async () => {
    const route = `/v1/outputs/${key}`;
    await warm(route);
    const before = hits();
    const kept = await fetch(`${hot.url}${route}?probe=1`, { headers: { 'x-request-id': 'lb-1234.abc' } });
    await kept.arrayBuffer();
    expect(kept.headers.get('x-request-id')).toBe('lb-1234.abc');
    const replaced = await fetch(`${hot.url}${route}`, { method: 'HEAD', headers: { 'x-request-id': 'no spaces allowed' } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(hits() - before).toBe(2);
    await expect.poll(() => logLines.some((l) => l.includes('"reqId":"lb-1234.abc"'))).toBe(true);
    const line = JSON.parse(logLines.find((l) => l.includes('"reqId":"lb-1234.abc"'))!) as Record<string, unknown>;
    expect(line).toMatchObject({ msg: 'request', method: 'GET', route: '/v1/outputs/:key', status: 200, bytes: 150000 });
    expect(logLines.join('')).not.toContain('probe=1');
  });

  it('keeps a busy path hot across memo periods with one renewal at a time, not a herd at each expiry', async () => {
    const route = `/v1/outputs/${key}`;
    await warm(route);
    const before = hits();
    let requests = 0;
    const started = Date.now();
    const until = started + 2.5 * MEMO_MS;
    // Ten clients in a loop, as a busy link has: each memo ends while most of them are in flight.
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (Date.now() < until) {
          const res = await fetch(`${hot.url}${route}`);
          await res.arrayBuffer();
          expect(res.status).toBe(200);
          requests++;
        }
      }),
    );
    const throughRoute = requests - (hits() - before);
    expect(requests).toBeGreaterThan(50);
    // About one renewal per half memo of the time the loop really took (5 in 2.5 memos on a quiet
    // machine; a stalled event loop stretches it), plus a little slack; a herd at each expiry sends
    // every client through the route (measured 20 here with a 1 s memo).
    const halfMemos = Math.ceil((Date.now() - started) / (MEMO_MS / 2));
    expect(throughRoute).toBeLessThanOrEqual(halfMemos + 3);
  });

  it('stops serving an evicted file within the memo, and drops its bytes from memory', async () => {
    const evicted = 'b2'.repeat(32);
    await putOutput(evicted, randomBytes(20_000));
    const route = `/v1/outputs/${evicted}`;
    await warm(route);
    // Evicted by the store (the index still says done): the route answers 404 once the memo ran out.
    expect(await store.delete(`renders/${evicted}.mp4`)).toBe(true);
    await sleep(MEMO_MS + 100);
    expect((await fetch(`${hot.url}${route}`)).status).toBe(404);
    // Objects no path was admitted to for a memo period after their last memo leave memory, with no request
    // needed: about three memo periods by the pruning timer, which a loaded CI machine may run late, so this
    // waits on the state rather than on a fixed sleep.
    await expect
      .poll(() => hot.fastPath!.cache.stats(), { timeout: 30_000, interval: 200 })
      .toMatchObject({ objects: 0, bytes: 0 });
    expect((await fetch(`${hot.url}${route}`)).status).toBe(404);
  });

  it('stops serving an output erased (key tombstone, index record removed) within the memo', async () => {
    // A record removed alone is no longer "gone": the store is the durable index (done-record retention),
    // so the removal that must end the memo is an erasure's, whose tombstone refuses the store fallback.
    const gone = 'c3'.repeat(32);
    await putOutput(gone, randomBytes(10_000));
    const route = `/v1/outputs/${gone}`;
    await warm(route);
    await indexConnection.set(redisKeys.keyTombstone(gone), String(Date.now()));
    await index.delete(gone);
    await sleep(MEMO_MS + 100);
    expect((await fetch(`${hot.url}${route}`)).status).toBe(404);
  });

  it('serves an output whose done record expired, from the store, and re-indexes it', async () => {
    const expired = 'c4'.repeat(32);
    await putOutput(expired, randomBytes(10_000));
    await index.delete(expired);
    expect((await fetch(`${plain.url}/v1/outputs/${expired}`)).status).toBe(200);
    expect(await index.get(expired)).toMatchObject({ state: 'done', storageKey: `renders/${expired}.mp4` });
  });
});

describe('fast path: /l/:token/video.mp4', () => {
  const props = { name: 'Hot Path', points: 5 };
  let video: string;
  let token: string;
  let bytes: Buffer;

  beforeAll(async () => {
    const res = await fetch(`${hot.url}/v1/live-links`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ templateId: 'reference', channels: ['web'], props, recipientId: 'fast-path-r1' }),
    });
    expect(res.status).toBe(201);
    const { links } = (await res.json()) as { links: { url: string; assets: Record<string, string> }[] };
    video = links[0]!.assets.video!;
    token = links[0]!.url.slice('/l/'.length);
    // The link's master, stored as if a render had finished (same key as the route computes).
    const master = await prepareRenderJob(
      { registry: createDefaultRegistry({ cacheDir: '.cache/test' }) },
      { templateId: 'reference', variant: 'landscape', format: 'mp4', priorityClass: 'live', props },
    );
    bytes = randomBytes(200_000);
    await putOutput(master.renderKey, bytes, { recipientId: 'fast-path-r1' });
  }, 60_000);

  it('answers a hot link from memory exactly as the route does (200, 304, 206, HEAD)', async () => {
    const full = await compare(video);
    expect(Buffer.from(full.body, 'base64').equals(bytes)).toBe(true);
    expect((await compare(video, { headers: { 'if-none-match': full.headers.etag! } })).status).toBe(304);
    expect((await compare(video, { headers: { range: 'bytes=0-1023' } })).status).toBe(206);
    expect((await compare(video, { method: 'HEAD' })).headers['content-length']).toBe('200000');
    // The query string is not part of the path.
    const before = hits();
    expect((await fetch(`${hot.url}${video}?utm=x`)).status).toBe(200);
    expect(hits() - before).toBe(1);
    // The token never reaches the log, hot or not.
    expect(logLines.some((l) => l.includes('"route":"/l/:token/:asset"'))).toBe(true);
    expect(logLines.join('')).not.toContain(token);
  });

  it('refuses a tampered token with 403 while the valid one is hot', async () => {
    await warm(video);
    const body = token.split('.')[2]!;
    const at = Math.floor(body.length / 2);
    const flipped = `${token.split('.').slice(0, 2).join('.')}.${body.slice(0, at)}${body[at] === 'A' ? 'B' : 'A'}${body.slice(at + 1)}`;
    const before = hits();
    for (const bad of [flipped, `${token}A`, token.slice(0, -1)]) {
      const res = await fetch(`${hot.url}/l/${bad}/video.mp4`);
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ code: 'TOKEN_INVALID' });
    }
    expect(hits()).toBe(before);
    // Another spelling of the path is not hot either: Express routes it.
    expect((await fetch(`${hot.url}${video}/`)).status).toBe(200);
    expect(hits()).toBe(before);
  });

  it('stops serving an erased recipient once the link memos run out', async () => {
    await warm(video);
    const erased = await fetch(`${hot.url}/v1/subjects/fast-path-r1`, { method: 'DELETE', headers: { authorization: `Bearer ${API_KEY}` } });
    expect(erased.status).toBeLessThan(300);
    // Both memos have run out: the route's link memo (2 s, live-link-resolver.ts) and the fast path's.
    await sleep(Math.max(2_000, MEMO_MS) + 200);
    const before = hits();
    const res = await fetch(`${hot.url}${video}`);
    expect(res.status).toBe(410);
    expect(await res.json()).toMatchObject({ code: 'SUBJECT_ERASED' });
    expect(hits()).toBe(before);
  });
});
