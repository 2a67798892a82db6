import { mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRenderEngine, type RenderEngine } from '../../../src/pipeline/index.js';
import { loadConfig } from '../../../src/config/index.js';
import { createRenderWorker, type RenderWorker } from '../../../src/renders/index.js';
import { closeRedisConnection, createRedisConnection } from '../../../src/queue/redis-connection.js';
import { startApiHarness, type ApiHarness } from './api-harness.js';

/**
 * The whole path once, for real: POST /v1/renders?wait -> BullMQ -> an
 * in-process render worker (Chromium + ffmpeg) -> file store + output index
 * -> GET /v1/outputs. A JPEG still of `reference` keeps it to one frame.
 */
describe('HTTP API end to end with a real render worker', () => {
  let api: ApiHarness;
  let engine: RenderEngine;
  let worker: RenderWorker;
  let workerConnection: ReturnType<typeof createRedisConnection>;

  beforeAll(async () => {
    api = await startApiHarness();
    const config = loadConfig({ ...process.env, MASTERCUT_CACHE_DIR: path.join(api.dir, 'cache'), RENDER_POOL_SIZE: '1' });
    engine = await createRenderEngine(config, { poolSize: 1 });
    workerConnection = createRedisConnection(api.redis.url);
    worker = createRenderWorker(
      { renderVideo: engine.renderVideo, store: api.store, index: api.index, workDir: await mkdtemp(path.join(api.dir, 'work-')) },
      { connection: workerConnection, queueName: api.renderQueue.queueName },
    );
    worker.run();
  });
  afterAll(async () => {
    await worker?.shutdown(5_000);
    if (workerConnection) await closeRedisConnection(workerConnection);
    await engine?.close();
    await api?.close();
  });

  it('renders through the queue, answers the final status, and serves the output', async () => {
    const request = { templateId: 'reference', format: 'jpg', props: { name: 'End To End', points: 99 } };
    const res = await api.call('/v1/renders?wait=60', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ state: 'done', output: { url: `/v1/outputs/${body.renderKey}`, contentType: 'image/jpeg' } });
    expect(body.output.size).toBeGreaterThan(1_000);

    const image = await api.call(body.output.url, { auth: false });
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/jpeg');
    const bytes = Buffer.from(await image.arrayBuffer());
    expect(bytes.length).toBe(body.output.size);
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));

    const head = await api.call(body.output.url, { auth: false, headers: { range: 'bytes=0-9' } });
    expect(head.status).toBe(206);
    expect(Buffer.from(await head.arrayBuffer())).toEqual(bytes.subarray(0, 10));

    // Asking again is answered from the index at once: no second render.
    const again = await api.call('/v1/renders', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ renderKey: body.renderKey, state: 'done' });
  });
});
