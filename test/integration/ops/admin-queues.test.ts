import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../../src/api/main.js';
import { loadConfig } from '../../../src/config/index.js';
import { createRenderQueue } from '../../../src/renders/index.js';
import { startTestRedis, type EmbeddedRedis } from '../../helpers/redis-server.js';

const ADMIN_KEY = 'admin-key-5f2c1e9a7b';
const API_KEY = 'api-key-not-an-admin-key';
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

let redis: EmbeddedRedis;
let dir: string;

beforeAll(async () => {
  redis = await startTestRedis();
  dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-admin-'));
});

afterAll(async () => {
  await redis?.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The API as `mastercut serve` wires it (src/api/main.ts), with the given extra environment; log lines are kept. */
async function startApi(env: Record<string, string>): Promise<{ api: ApiServer; logs: string[] }> {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const config = loadConfig({
    REDIS_URL: redis.url,
    API_KEYS: API_KEY,
    STORAGE_ROOT: path.join(dir, 'storage'),
    MASTERCUT_CACHE_DIR: path.join(dir, 'cache'),
    ...env,
  });
  const api = await startApiServer(config, { port: 0, host: '127.0.0.1', fastPath: false, logger: pino({ level: 'info' }, sink) });
  return { api, logs };
}

describe('queue dashboard at /admin/queues (Bull Board)', () => {
  let api: ApiServer;
  beforeAll(async () => {
    ({ api } = await startApi({ ADMIN_API_KEYS: `other-admin,${ADMIN_KEY}` }));
  });
  afterAll(async () => {
    await api?.close();
  });

  it('answers 401 with a Basic challenge without credentials, with a wrong key, or with an API key', async () => {
    for (const authorization of [undefined, basic('ops', 'wrong'), `Bearer ${API_KEY}`, basic('ops', API_KEY), 'Basic !!notbase64', `Bearer ${ADMIN_KEY}x`]) {
      const res = await fetch(`${api.url}/admin/queues`, { headers: authorization ? { authorization } : {} });
      expect(res.status, String(authorization)).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm="mastercut admin"/);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(await res.json()).toMatchObject({ code: 'UNAUTHORIZED' });
    }
    // The API routes still refuse the admin key: the two key sets are separate.
    expect((await fetch(`${api.url}/v1/templates`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).status).toBe(401);
  });

  it('serves the page to an admin key (Basic password, any user, or Bearer), never cached', async () => {
    for (const authorization of [basic('ops', ADMIN_KEY), basic('', ADMIN_KEY), `Bearer ${ADMIN_KEY}`]) {
      const res = await fetch(`${api.url}/admin/queues`, { headers: { authorization } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const html = await res.text();
      expect(html).toContain('<base href="/admin/queues/"');
      expect(html).toContain('mastercut queues');
    }
    // Client-side routes are served the same page (Express 5 route patterns).
    const deep = await fetch(`${api.url}/admin/queues/queue/render`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    expect(deep.status).toBe(200);
    expect(await deep.text()).toContain('<base href="/admin/queues/"');
  });

  it('serves the static assets the page names, behind the same check', async () => {
    const html = await (await fetch(`${api.url}/admin/queues`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).text();
    const scripts = [...html.matchAll(/src="(static\/js\/[^"]+\.js)"/g)].map((m) => m[1]!);
    const styles = [...html.matchAll(/href="(static\/css\/[^"]+\.css)"/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    expect(styles.length).toBeGreaterThan(0);
    for (const asset of [scripts[0]!, styles[0]!]) {
      const res = await fetch(`${api.url}/admin/queues/${asset}`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
      expect(res.status, asset).toBe(200);
      expect(res.headers.get('content-type')).toMatch(asset.endsWith('.js') ? /javascript/ : /text\/css/);
      expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(100);
      expect((await fetch(`${api.url}/admin/queues/${asset}`)).status).toBe(401);
    }
  });

  it('its API lists the three queues, with personal data in job data redacted', async () => {
    const producer = createRenderQueue({ redisUrl: redis.url, events: false });
    try {
      await producer.queue.add('render', { templateId: 'reference', props: { name: 'Ana Secret' }, recipientId: 'r-42' } as never, { jobId: 'admin-test-job' });
      const res = await fetch(`${api.url}/admin/queues/api/queues?activeQueue=render&status=waiting&page=1&jobsPerPage=10`, {
        headers: { authorization: `Bearer ${ADMIN_KEY}` },
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { queues: { name: string; readOnlyMode: boolean; jobs: { id: string; data: Record<string, unknown> }[] }[] };
      expect(body.queues.map((q) => q.name).sort()).toEqual(['render', 'transcode', 'webhooks']);
      expect(body.queues.every((q) => q.readOnlyMode === false)).toBe(true);
      const job = body.queues.find((q) => q.name === 'render')!.jobs.find((j) => j.id === 'admin-test-job');
      expect(job?.data).toEqual({ templateId: 'reference', props: '[redacted]', recipientId: '[redacted]' });
      expect(JSON.stringify(body)).not.toContain('Ana Secret');
    } finally {
      await producer.queue.obliterate({ force: true });
      await producer.close();
    }
  });

  it("the API's metrics registry carries the scaling signal for the three queues", async () => {
    const text = await api.metrics.registry.metrics();
    for (const queue of ['render', 'transcode', 'webhooks']) {
      expect(text).toMatch(new RegExp(`^mastercut_recommended_workers\\{queue="${queue}"[^}]*\\} 1$`, 'm'));
      expect(text).toMatch(new RegExp(`^mastercut_queue_drain_seconds\\{queue="${queue}"[^}]*\\} 0$`, 'm'));
    }
  });

  it('lets an admin pause and resume a queue (not read-only by default)', async () => {
    const producer = createRenderQueue({ redisUrl: redis.url, queueName: 'transcode', events: false });
    try {
      const pause = await fetch(`${api.url}/admin/queues/api/queues/transcode/pause`, { method: 'PUT', headers: { authorization: `Bearer ${ADMIN_KEY}` } });
      expect(pause.status).toBe(200);
      expect(await producer.queue.isPaused()).toBe(true);
      await fetch(`${api.url}/admin/queues/api/queues/transcode/resume`, { method: 'PUT', headers: { authorization: `Bearer ${ADMIN_KEY}` } });
      expect(await producer.queue.isPaused()).toBe(false);
    } finally {
      await producer.close();
    }
  });
});

describe('queue dashboard settings', () => {
  it('BULL_BOARD_READ_ONLY=true shows the queues but refuses changes', async () => {
    const { api } = await startApi({ ADMIN_API_KEYS: ADMIN_KEY, BULL_BOARD_READ_ONLY: 'true' });
    const producer = createRenderQueue({ redisUrl: redis.url, queueName: 'transcode', events: false });
    try {
      const list = await fetch(`${api.url}/admin/queues/api/queues`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
      const body = (await list.json()) as { queues: { readOnlyMode: boolean }[] };
      expect(body.queues.length).toBe(3);
      expect(body.queues.every((q) => q.readOnlyMode)).toBe(true);
      const pause = await fetch(`${api.url}/admin/queues/api/queues/transcode/pause`, { method: 'PUT', headers: { authorization: `Bearer ${ADMIN_KEY}` } });
      expect(pause.status).toBe(405);
      expect(await producer.queue.isPaused()).toBe(false);
    } finally {
      await producer.close();
      await api.close();
    }
  });

  it('without ADMIN_API_KEYS the dashboard is off: 404 even with credentials, and the log says how to turn it on', async () => {
    const { api, logs } = await startApi({});
    try {
      for (const headers of [{}, { authorization: `Bearer ${API_KEY}` }, { authorization: basic('ops', API_KEY) }] as Record<string, string>[]) {
        const res = await fetch(`${api.url}/admin/queues`, { headers });
        expect(res.status).toBe(404);
      }
      expect((await fetch(`${api.url}/admin/queues/static/js/x.js`)).status).toBe(404);
      expect(logs.some((l) => l.includes('ADMIN_API_KEYS') && l.includes('queue dashboard off'))).toBe(true);
    } finally {
      await api.close();
    }
  });
});
