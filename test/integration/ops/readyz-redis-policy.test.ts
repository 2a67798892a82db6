import os from 'node:os';
import express from 'express';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHealthRoutes } from '../../../src/api/routes/health-routes.js';
import { createFarmMetrics, createReadiness, createRedisCheck, startOpsServer, type OpsServer } from '../../../src/ops/index.js';
import { closeRedisConnection, createRedisConnection } from '../../../src/queue/index.js';
import { startTestRedis, type EmbeddedRedis } from '../../helpers/redis-server.js';
import { startTranscodeProcess, startWorkerProcess, stopFarmProcesses, type WorkerChild } from '../../helpers/worker-process.js';

let redis: EmbeddedRedis;
let client: Redis;
let ops: OpsServer;
let api: { url: string; close(): Promise<void> };

beforeAll(async () => {
  redis = await startTestRedis();
  client = createRedisConnection(redis.url);
  await client.ping();
  // Same readiness as a worker's ops port and the API's /readyz, without the policy cache (the test flips the policy).
  const readiness = createReadiness({ redis: createRedisCheck(client, { policyCacheMs: 0 }) });
  ops = await startOpsServer({ port: 0, host: '127.0.0.1', registry: createFarmMetrics({ role: 'api', processMetrics: false }).registry, readiness });
  const app = express().use(createHealthRoutes({ redis: client, readiness }));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  api = { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
});

afterAll(async () => {
  await Promise.allSettled([ops?.close(), api?.close()]);
  if (client) await closeRedisConnection(client);
  await redis?.destroy();
});

async function readyz(base: string) {
  const res = await fetch(`${base}/readyz`);
  return { status: res.status, body: (await res.json()) as { status: string; checks: Record<string, { ok: boolean; detail: string }> } };
}

describe('/readyz and the Redis eviction policy', () => {
  it('answers 503 naming the policy while Redis may evict keys, and 200 again once it is noeviction', async () => {
    for (const base of [ops.url, api.url]) expect((await readyz(base)).status).toBe(200);
    await client.config('SET', 'maxmemory-policy', 'allkeys-lru');
    try {
      for (const base of [ops.url, api.url]) {
        const { status, body } = await readyz(base);
        expect(status).toBe(503);
        expect(body.status).toBe('unavailable');
        expect(body.checks.redis).toEqual({ ok: false, detail: expect.stringContaining('maxmemory-policy is allkeys-lru') });
        expect(body.checks.redis!.detail).toMatch(/noeviction/);
      }
    } finally {
      await client.config('SET', 'maxmemory-policy', 'noeviction');
    }
    for (const base of [ops.url, api.url]) {
      const { status, body } = await readyz(base);
      expect(status).toBe(200);
      expect(body.checks.redis).toEqual({ ok: true, detail: 'reachable, maxmemory-policy noeviction' });
    }
  });

  it('reuses the policy answer within its cache period, so probes cost no CONFIG GET', async () => {
    const check = createRedisCheck(client, { policyCacheMs: 60_000 });
    expect(await check()).toMatchObject({ ok: true });
    await client.config('SET', 'maxmemory-policy', 'volatile-lru');
    try {
      expect(await check()).toMatchObject({ ok: true });
      expect(await createRedisCheck(client, { policyCacheMs: 60_000 })()).toMatchObject({ ok: false });
    } finally {
      await client.config('SET', 'maxmemory-policy', 'noeviction');
    }
  });
});

describe('worker processes on an evicting Redis', () => {
  let lru: EmbeddedRedis;
  const children: WorkerChild[] = [];
  beforeAll(async () => {
    lru = await startTestRedis({ maxmemoryPolicy: 'allkeys-lru' });
  });
  afterAll(async () => {
    await stopFarmProcesses(children.filter((c) => c.proc.exitCode === null));
    await lru?.destroy();
  });

  it('refuse to start with REDIS_EVICTION_CHECK=refuse: clear message, non-zero exit', async () => {
    const env = { REDIS_EVICTION_CHECK: 'refuse' };
    const render = startWorkerProcess({ redisUrl: lru.url, storeRoot: os.tmpdir(), env });
    const transcode = startTranscodeProcess({ redisUrl: lru.url, storeRoot: os.tmpdir(), env });
    children.push(render, transcode);
    const [renderCode, transcodeCode] = await Promise.all([render.exited, transcode.exited]);
    for (const [child, code] of [[render, renderCode], [transcode, transcodeCode]] as const) {
      expect(code).not.toBe(0);
      expect(child.output()).toMatch(/maxmemory-policy is "allkeys-lru"/);
      expect(child.output()).toMatch(/Refusing to start/);
      expect(child.output()).not.toMatch(/worker ready/);
    }
  }, 60_000);

  it('start with REDIS_EVICTION_CHECK=warn but stay not ready on their ops port', async () => {
    const child = startTranscodeProcess({ redisUrl: lru.url, storeRoot: os.tmpdir(), env: { REDIS_EVICTION_CHECK: 'warn' } });
    children.push(child);
    const deadline = Date.now() + 60_000;
    let port: string | undefined;
    while (!(port = /"port":(\d+)[^\n]*"msg":"metrics listening"/.exec(child.output())?.[1]) || !/worker ready/.test(child.output())) {
      if (child.proc.exitCode !== null || Date.now() > deadline) throw new Error(`worker did not start:\n${child.output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const { status, body } = await readyz(`http://127.0.0.1:${port}`);
    expect(status).toBe(503);
    expect(body.checks.redis).toMatchObject({ ok: false, detail: expect.stringContaining('allkeys-lru') });
    expect(body.checks.ffmpeg).toMatchObject({ ok: true });
    expect(body.checks.encoders).toMatchObject({ ok: true, detail: expect.stringMatching(/^cpu /) });
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  }, 90_000);
});
