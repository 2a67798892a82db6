import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../src/api/main.js';
import type { CampaignStatus } from '../../src/campaigns/index.js';
import { loadConfig } from '../../src/config/index.js';
import { repoRoot } from '../helpers/render-engine.js';
import { startTestRedis, type EmbeddedRedis } from '../helpers/redis-server.js';

const KEY = 'restart-test-key';
const RECIPIENTS = [
  'recipientId,firstName,currentTier,nextTier,points,pointsToNextTier,memberSince',
  'a1,Ana,Silver,Gold,1200,800,2015',
  'b2,Ben,Gold,Platinum,30000,20000,2012',
  'c3,Cy,Platinum,Diamond,80000,5000,2009',
  'd4,Dee,Silver,Diamond,100,99900,2021',
].join('\n');

let redis: EmbeddedRedis;
let api: ApiServer;
let worker: ChildProcess;
let transcoder: ChildProcess;
let storeRoot: string;

beforeAll(async () => {
  redis = await startTestRedis({ aof: true });
  storeRoot = await mkdtemp(path.join(os.tmpdir(), 'mastercut-restart-'));
  const env = { ...process.env, REDIS_URL: redis.url, API_KEYS: KEY, STORAGE_ROOT: storeRoot, MASTERCUT_CACHE_DIR: '.cache/test' };
  api = await startApiServer(loadConfig(env), { port: 0, host: '127.0.0.1', logger: pino({ level: 'silent' }) });
  worker = spawn(path.join(repoRoot, 'bin/mastercut'), ['worker', 'render', '--eviction-check', 'warn'], {
    cwd: repoRoot,
    // METRICS_PORT 0: a free operations port, never the default 9464 another test may hold.
    env: { ...env, LOG_LEVEL: 'warn', METRICS_PORT: '0' },
    stdio: 'ignore',
  });
  // A campaign is done when its channel deliverables are (web: video.mp4 and poster.jpg): a transcode worker too.
  transcoder = spawn(path.join(repoRoot, 'bin/mastercut'), ['worker', 'transcode', '--eviction-check', 'warn'], {
    cwd: repoRoot,
    env: { ...env, LOG_LEVEL: 'warn', METRICS_PORT: '0', TRANSCODE_ENCODERS: 'cpu' },
    stdio: 'ignore',
  });
});

afterAll(async () => {
  for (const child of [worker, transcoder]) {
    if (!child || child.exitCode !== null) continue;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(20_000).then(() => child.kill('SIGKILL'))]);
  }
  await api?.close();
  await redis?.destroy();
  await rm(storeRoot, { recursive: true, force: true });
});

const call = (route: string, init: RequestInit = {}) =>
  fetch(`${api.url}${route}`, { ...init, headers: { authorization: `Bearer ${KEY}`, ...init.headers }, signal: AbortSignal.timeout(10_000) });

async function status(id: string): Promise<CampaignStatus> {
  return (await (await call(`/v1/campaigns/${id}`)).json()) as CampaignStatus;
}

describe('a campaign across a Redis restart (AOF on)', () => {
  it('answers 503 while Redis is down, then the workers and the API reconnect and the campaign completes', async () => {
    const created = await call('/v1/campaigns?templateId=loyalty-tier&channels=web&mode=prerender', {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: RECIPIENTS,
    });
    expect(created.status).toBe(202);
    const { id } = (await created.json()) as CampaignStatus;

    // Let the first render land, then take Redis away in the middle of the campaign.
    const deadline = Date.now() + 120_000;
    while ((await status(id)).counts.rendered < 1) {
      expect(Date.now()).toBeLessThan(deadline);
      await sleep(500);
    }
    await redis.stop();
    // An answer at all (503), not a request held until Redis is back: a hang ends in call()'s abort
    // (10 s), which throws. No tighter bound: on a loaded machine the answer itself can take seconds.
    const down = await call(`/v1/campaigns/${id}`);
    expect(down.status).toBe(503);
    await sleep(1_500);
    await redis.start();

    let final = await status(id).catch(() => undefined);
    while (!final || final.state !== 'done') {
      expect(Date.now()).toBeLessThan(deadline + 60_000);
      await sleep(1_000);
      final = await status(id).catch(() => undefined);
    }
    expect(final.counts).toMatchObject({ total: 4, valid: 4, invalid: 0, renders: 4, rendered: 4, failed: 0 });
    const outputs = (await readdir(path.join(storeRoot, 'renders'))).filter((name) => name.endsWith('.mp4'));
    expect(outputs).toHaveLength(4);
  }, 240_000);
});
