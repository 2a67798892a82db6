import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CampaignStatus } from '../../src/campaigns/index.js';
import { startTestRedis, type EmbeddedRedis } from '../helpers/redis-server.js';
import { startApiProcess, type WorkerChild } from '../helpers/worker-process.js';

// The durable fan-out, in the farm's own API processes: a fan-out killed
// (kill -9) or cut off from Redis part way resumes from its checkpoint, and
// every row of the file is queued exactly once. No render worker runs: the
// render jobs stay queued, which is what is counted.
const ROWS = 50_000;
const HEADER = 'recipientId,firstName,currentTier,nextTier,points,pointsToNextTier,memberSince';

let redisServer: EmbeddedRedis;
let redis: Redis;
let storeRoot: string;
const apis: (WorkerChild & { url: string })[] = [];

beforeAll(async () => {
  redisServer = await startTestRedis({ aof: true });
  redis = new Redis(redisServer.url, { maxRetriesPerRequest: null });
  storeRoot = await mkdtemp(path.join(os.tmpdir(), 'mastercut-fanout-crash-'));
}, 60_000);

afterAll(async () => {
  for (const api of apis) if (api.proc.exitCode === null) api.proc.kill('SIGKILL');
  redis?.disconnect();
  await redisServer?.destroy();
  await rm(storeRoot, { recursive: true, force: true });
});

async function startApi() {
  // No render worker here: a window would stop the fan-out at W queued jobs, so it is wider than the file.
  const api = await startApiProcess({ redisUrl: redisServer.url, storeRoot, env: { CAMPAIGN_WINDOW: String(2 * ROWS) } });
  apis.push(api);
  return api;
}

function recipients(prefix: string): string {
  let csv = `${HEADER}\n`;
  // Each campaign's own names: the props (hence the render keys) differ between the two campaigns.
  const name = prefix === 'k' ? 'Kay' : 'Rae';
  for (let i = 0; i < ROWS; i++) csv += `${prefix}${i},${name},Silver,Gold,${i},${ROWS - i},2015\n`;
  return csv;
}

async function status(api: { url: string }, id: string): Promise<CampaignStatus> {
  const res = await fetch(`${api.url}/v1/campaigns/${id}`, { headers: { authorization: 'Bearer farm-key' }, signal: AbortSignal.timeout(20_000) });
  return (await res.json()) as CampaignStatus;
}

/** The manifest rows (`recipientId key...`) through the API: the rows are in the object store, read in commit order. */
async function manifestRows(api: { url: string }, id: string): Promise<string[]> {
  const res = await fetch(`${api.url}/v1/campaigns/${id}/manifest?format=csv`, { headers: { authorization: 'Bearer farm-key' }, signal: AbortSignal.timeout(60_000) });
  expect(res.status).toBe(200);
  return (await res.text()).trim().split('\n').slice(1).map((line) => line.split(',').slice(0, 2).join(' '));
}

async function upload(api: { url: string }, prefix: string): Promise<string> {
  const res = await fetch(`${api.url}/v1/campaigns?templateId=loyalty-tier&channels=web`, {
    method: 'POST',
    headers: { authorization: 'Bearer farm-key', 'content-type': 'text/csv' },
    body: recipients(prefix),
    signal: AbortSignal.timeout(240_000),
  });
  const body = (await res.json()) as CampaignStatus;
  expect(res.status, JSON.stringify(body)).toBe(202);
  // Every row is counted before the answer; the fan-out has not necessarily started.
  expect(body.counts).toMatchObject({ total: ROWS, valid: ROWS, invalid: 0 });
  return body.id;
}

/** Every row once, in file order, each with its own render key; counts that add up; one queued job per key. */
async function expectEveryRowOnce(api: { url: string }, id: string, prefix: string) {
  const manifest = await manifestRows(api, id);
  expect(manifest).toHaveLength(ROWS);
  const ids = manifest.map((line) => line.split(' ')[0]);
  expect(ids).toEqual(Array.from({ length: ROWS }, (_, i) => `${prefix}${i}`));
  const keys = new Set(manifest.map((line) => line.split(' ')[1]));
  expect(keys.size).toBe(ROWS);
  const final = await status(api, id);
  expect(final.counts).toMatchObject({ total: ROWS, valid: ROWS, invalid: 0, fannedOut: ROWS, renders: ROWS, queued: ROWS, rendered: 0, failed: 0 });
  // Every key claimed once, in the key hash of its chunk, each chunk committed (`#n`); none settled (no render worker).
  const chunkHashes = await redis.keys(`{mastercut}:cmp:${id}:keys:*`);
  const claimed = await Promise.all(chunkHashes.map((key) => redis.hget(key, '#n')));
  expect(claimed.reduce((sum, n) => sum + Number(n), 0)).toBe(ROWS);
  // A sample of the keys: each has its render job (job id = render key).
  const jobs = await Promise.all([...keys].slice(0, 200).map((key) => redis.exists(`{mastercut}:render:${key}`)));
  expect(jobs.every((n) => n === 1)).toBe(true);
}

describe('durable campaign fan-out', () => {
  it('resumes after kill -9 of the API at ~30%: every row queued exactly once', async () => {
    const first = await startApi();
    const id = await upload(first, 'k');
    await expect.poll(async () => (await status(first, id)).counts.fannedOut, { timeout: 240_000, interval: 50 }).toBeGreaterThanOrEqual(ROWS * 0.3);
    first.proc.kill('SIGKILL');
    await first.exited;
    const killedAt = Number(await redis.hget(`{mastercut}:cmp:${id}`, 'fanOutEntries'));
    expect(killedAt).toBeLessThan(ROWS);

    // A fresh API process takes the stalled fan-out job over (BullMQ's lock expired) and resumes at the checkpoint.
    const second = await startApi();
    await expect.poll(async () => (await status(second, id)).state, { timeout: 300_000, interval: 500 }).toBe('rendering');
    await expectEveryRowOnce(second, id, 'k');
    expect(await redis.zcard('{mastercut}:render:prioritized')).toBe(ROWS);
  }, 900_000);

  it('goes on through a Redis restart during the fan-out (AOF on)', async () => {
    const api = apis.at(-1)!;
    const id = await upload(api, 'r');
    await expect.poll(async () => (await status(api, id)).counts.fannedOut, { timeout: 240_000, interval: 50 }).toBeGreaterThanOrEqual(ROWS * 0.3);
    redis.disconnect();
    await redisServer.stop();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await redisServer.start();
    redis = new Redis(redisServer.url, { maxRetriesPerRequest: null });
    await expect.poll(async () => (await status(api, id).catch(() => undefined))?.state, { timeout: 300_000, interval: 500 }).toBe('rendering');
    await expectEveryRowOnce(api, id, 'r');
    // The campaign fanned out before the restart is intact too (AOF), and no job of either is lost.
    const first = (await redis.keys('{mastercut}:cmp:cmp_*:mparts')).filter((k) => !k.includes(id));
    expect(first).toHaveLength(1);
    const firstId = /cmp:(cmp_[a-z2-7]+):mparts/.exec(first[0]!)![1]!;
    expect(await manifestRows(api, firstId)).toHaveLength(ROWS);
    const backlog = { prioritized: await redis.zcard('{mastercut}:render:prioritized'), wait: await redis.llen('{mastercut}:render:wait') };
    expect(backlog.prioritized + backlog.wait, JSON.stringify(backlog)).toBe(2 * ROWS);
  }, 900_000);
});
