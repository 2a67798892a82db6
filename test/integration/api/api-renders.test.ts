import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareRenderJob } from '../../../src/renders/prepare-render-job.js';
import { startApiHarness, type ApiHarness } from './api-harness.js';

const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

describe('HTTP API: templates, renders and outputs', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApiHarness();
  });
  afterAll(async () => {
    await api?.close();
  });

  /** Publishes an output as a worker would: object in the store, then `done` in the index. */
  async function publish(key: string, bytes: Buffer, format = 'mp4', contentType = 'video/mp4') {
    const storageKey = `renders/${key}.${format}`;
    await api.store.put(storageKey, Readable.from([bytes]), { contentType });
    await api.index.set({ key, state: 'done', storageKey, size: bytes.length, contentType, templateId: 'reference', updatedAt: Date.now() });
  }

  it('lists templates and describes one with its props schema, variants and bundle version', async () => {
    const list = await api.call('/v1/templates');
    expect(list.status).toBe(200);
    const { templates } = await list.json();
    expect(templates.map((t: { id: string }) => t.id).sort()).toEqual(['loyalty-tier', 'reference', 'welcome-clip', 'year-recap']);

    const res = await api.call('/v1/templates/loyalty-tier');
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.id).toBe('loyalty-tier');
    expect(Object.keys(body.variants).sort()).toEqual(['landscape', 'portrait', 'square']);
    expect(body.version).toBe((await api.registry.bundle('loyalty-tier')).version);
    expect(body.propsSchema.type).toBe('object');
    expect(Object.keys(body.propsSchema.properties)).toEqual(expect.arrayContaining(['firstName', 'points']));

    const missing = await api.call('/v1/templates/no-such-template');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ code: 'TEMPLATE_NOT_FOUND', message: 'Unknown template.' });
  });

  it('queues a render once per key: identical requests get the same key and one job', async () => {
    const request = { templateId: 'reference', props: { name: 'Ada', points: 42 } };
    const first = await api.call('/v1/renders', json(request));
    expect(first.status).toBe(202);
    const a = await first.json();
    expect(a.renderKey).toMatch(/^[0-9a-f]{64}$/);
    expect(a.state).toBe('queued');
    expect(a.links).toEqual({ self: `/v1/renders/${a.renderKey}`, output: `/v1/outputs/${a.renderKey}` });
    expect(first.headers.get('location')).toBe(a.links.self);

    // Same props in another key order: same render, same key, no second job.
    const again = await api.call('/v1/renders', json({ props: { points: 42, name: 'Ada' }, templateId: 'reference', variant: 'landscape' }));
    expect(again.status).toBe(202);
    expect((await again.json()).renderKey).toBe(a.renderKey);
    const jobs = await api.renderQueue.queue.getJobs(['prioritized', 'waiting']);
    expect(jobs.filter((j) => j.id === a.renderKey)).toHaveLength(1);
    expect(jobs.find((j) => j.id === a.renderKey)?.priority).toBe(5);

    const status = await api.call(`/v1/renders/${a.renderKey}`);
    expect(status.status).toBe(200);
    expect(await status.json()).toMatchObject({ renderKey: a.renderKey, state: 'waiting', links: a.links });

    // Other props, or another format, are another render.
    const other = await (await api.call('/v1/renders', json({ ...request, props: { name: 'Bob', points: 42 } }))).json();
    const gif = await (await api.call('/v1/renders', json({ ...request, format: 'gif', priority: 'live' }))).json();
    expect(new Set([a.renderKey, other.renderKey, gif.renderKey]).size).toBe(3);
    expect((await api.renderQueue.queue.getJob(gif.renderKey))?.priority).toBe(1);
  });

  it('answers 404 for a key nobody asked for', async () => {
    const res = await api.call(`/v1/renders/${'0'.repeat(64)}`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ code: 'NOT_FOUND', message: 'Not found.' });
  });

  it('answers 200 done with the output when it already exists, without queueing', async () => {
    const request = { templateId: 'reference' as const, props: { name: 'Cached', points: 1 } };
    const { renderKey } = await prepareRenderJob({ registry: api.registry }, { ...request, priorityClass: 'api' });
    await publish(renderKey, Buffer.from('already rendered'));
    const res = await api.call('/v1/renders', json(request));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      renderKey,
      state: 'done',
      output: { url: `/v1/outputs/${renderKey}`, size: 16, contentType: 'video/mp4' },
      links: { self: `/v1/renders/${renderKey}`, output: `/v1/outputs/${renderKey}` },
    });
    expect(await api.renderQueue.queue.getJob(renderKey)).toBeUndefined();
  });

  it('?wait=N waits for the result, and answers 202 with the current state when time runs out', async () => {
    const pending = { templateId: 'reference', props: { name: 'Slow', points: 2 } };
    const started = Date.now();
    const timedOut = await api.call('/v1/renders?wait=1', json(pending));
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(timedOut.status).toBe(202);
    expect((await timedOut.json()).state).toBe('waiting');

    // A "worker" finishes while the request waits: the answer is the final status.
    const soon = { templateId: 'reference', props: { name: 'Soon', points: 3 } };
    const { renderKey } = await prepareRenderJob({ registry: api.registry }, { ...soon, priorityClass: 'api' });
    const waiting = api.call('/v1/renders?wait=30', json(soon));
    await new Promise((r) => setTimeout(r, 400));
    await publish(renderKey, Buffer.from('fresh'));
    const res = await waiting;
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ renderKey, state: 'done', output: { size: 5, url: `/v1/outputs/${renderKey}` } });
  });

  describe('GET /v1/outputs/:key', () => {
    const key = 'b'.repeat(64);
    const bytes = Buffer.from(Array.from({ length: 100 }, (_, i) => i));
    beforeAll(async () => {
      await publish(key, bytes);
    });

    it('streams the whole object, with caching headers and no API key', async () => {
      const res = await api.call(`/v1/outputs/${key}`, { auth: false });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('video/mp4');
      expect(res.headers.get('content-length')).toBe('100');
      expect(res.headers.get('accept-ranges')).toBe('bytes');
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(res.headers.get('etag')).toMatch(/^"[0-9a-f]{64}"$/);
      expect(Buffer.from(await res.arrayBuffer())).toEqual(bytes);
    });

    it.each([
      ['bytes=0-9', 0, 9],
      ['bytes=90-', 90, 99],
      ['bytes=-5', 95, 99],
      ['bytes=-500', 0, 99],
      ['bytes=50-10000', 50, 99],
      ['bytes=99-99', 99, 99],
    ])('answers Range %s with 206 and exactly those bytes', async (range, start, end) => {
      const res = await api.call(`/v1/outputs/${key}`, { auth: false, headers: { range } });
      expect(res.status).toBe(206);
      expect(res.headers.get('content-range')).toBe(`bytes ${start}-${end}/100`);
      expect(res.headers.get('content-length')).toBe(String(end - start + 1));
      expect(Buffer.from(await res.arrayBuffer())).toEqual(bytes.subarray(start, end + 1));
    });

    it.each(['bytes=100-', 'bytes=500-600', 'bytes=-0'])('answers unsatisfiable Range %s with 416', async (range) => {
      const res = await api.call(`/v1/outputs/${key}`, { auth: false, headers: { range } });
      expect(res.status).toBe(416);
      expect(res.headers.get('content-range')).toBe('bytes */100');
    });

    it('ignores a malformed or multi-part Range (whole object), and a stale If-Range', async () => {
      for (const range of ['bytes=5-2', 'items=0-9', 'bytes=0-1,5-6']) {
        const res = await api.call(`/v1/outputs/${key}`, { auth: false, headers: { range } });
        expect(res.status, range).toBe(200);
        expect((await res.arrayBuffer()).byteLength).toBe(100);
      }
      const stale = await api.call(`/v1/outputs/${key}`, { auth: false, headers: { range: 'bytes=0-9', 'if-range': '"other"' } });
      expect(stale.status).toBe(200);
      await stale.arrayBuffer();
    });

    it('answers If-None-Match with the ETag with 304 and no body', async () => {
      const first = await api.call(`/v1/outputs/${key}`, { auth: false, method: 'HEAD' });
      expect(first.status).toBe(200);
      expect(first.headers.get('content-length')).toBe('100');
      const etag = first.headers.get('etag')!;
      for (const header of [etag, `W/${etag}`, `"nope", ${etag}`, '*']) {
        const res = await api.call(`/v1/outputs/${key}`, { auth: false, headers: { 'if-none-match': header } });
        expect(res.status, header).toBe(304);
        expect(res.headers.get('etag')).toBe(etag);
        expect((await res.arrayBuffer()).byteLength).toBe(0);
      }
      const changed = await api.call(`/v1/outputs/${key}`, { auth: false, headers: { 'if-none-match': '"nope"' } });
      expect(changed.status).toBe(200);
      await changed.arrayBuffer();
    });

    it('answers 404 for an output that is not done, not indexed, or indexed but gone', async () => {
      const queued = 'c'.repeat(64);
      await api.index.set({ key: queued, state: 'queued', templateId: 'reference', updatedAt: Date.now() });
      const gone = 'd'.repeat(64);
      await api.index.set({
        key: gone,
        state: 'done',
        storageKey: `renders/${gone}.mp4`,
        size: 3,
        contentType: 'video/mp4',
        templateId: 'reference',
        updatedAt: Date.now(),
      });
      for (const k of [queued, gone, 'e'.repeat(64)]) {
        const res = await api.call(`/v1/outputs/${k}`, { auth: false });
        expect(res.status).toBe(404);
        expect(await res.json()).toEqual({ code: 'NOT_FOUND', message: 'Not found.' });
      }
    });
  });
});
