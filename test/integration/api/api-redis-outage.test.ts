import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness } from './api-harness.js';

const post = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** Polls `probe` until it returns true or `ms` pass; returns the time it took. */
async function until(probe: () => Promise<boolean>, ms: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < ms) {
    if (await probe()) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`condition not met within ${ms} ms`);
}

describe('HTTP API while Redis is down', () => {
  let api: ApiHarness;
  let renderKey: string;
  beforeAll(async () => {
    api = await startApiHarness({ aof: true, redisTimeoutMs: 1_000 });
    const res = await api.call('/v1/renders', post({ templateId: 'reference', props: { name: 'Outage', points: 7 } }));
    expect(res.status).toBe(202);
    renderKey = (await res.json()).renderKey;
  });
  afterAll(async () => {
    await api?.close();
  });

  it('answers 503 REDIS_UNAVAILABLE fast while Redis is stopped, and recovers when it is back', async () => {
    await api.redis.stop();
    const requests: [string, RequestInit?][] = [
      [`/v1/renders/${renderKey}`],
      ['/v1/renders', post({ templateId: 'reference', props: { name: 'During', points: 1 } })],
      ['/v1/renders?wait=30', post({ templateId: 'reference', props: { name: 'During', points: 2 } })],
      [`/v1/outputs/${renderKey}`],
    ];
    for (const [path, init] of requests) {
      const started = Date.now();
      const res = await api.call(path, init);
      const took = Date.now() - started;
      expect(res.status, path).toBe(503);
      expect(took, path).toBeLessThan(2_000);
      expect(res.headers.get('retry-after')).toBe('2');
      expect(await res.json()).toEqual({ code: 'REDIS_UNAVAILABLE', message: 'Service temporarily unavailable.' });
    }
    expect((await api.call('/readyz', { auth: false })).status).toBe(503);
    expect(await (await api.call('/healthz', { auth: false })).json()).toEqual({ status: 'ok', redis: 'unavailable' });
    // Routes that need no Redis keep working.
    expect((await api.call('/v1/templates')).status).toBe(200);

    await api.redis.start();
    const recovered = await until(async () => (await api.call(`/v1/renders/${renderKey}`)).status === 200, 10_000);
    expect(recovered).toBeLessThan(10_000);
    // AOF kept the job: same key, still waiting; new renders queue again.
    expect(await (await api.call(`/v1/renders/${renderKey}`)).json()).toMatchObject({ renderKey, state: 'waiting' });
    const fresh = await api.call('/v1/renders', post({ templateId: 'reference', props: { name: 'After', points: 3 } }));
    expect(fresh.status).toBe(202);
    expect((await api.call('/readyz', { auth: false })).status).toBe(200);
  });

  it('answers 503 within the Redis deadline when Redis is connected but stalled (SIGSTOP)', async () => {
    const info = await api.renderQueue.connection.info('server');
    const pid = Number(/process_id:(\d+)/.exec(info)?.[1]);
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, 'SIGSTOP');
    try {
      const started = Date.now();
      const res = await api.call(`/v1/renders/${renderKey}`);
      expect(res.status).toBe(503);
      // The route's own deadline (2 s) answered, not ioredis's command timeout (5 s): a bound between
      // the two leaves a loaded machine room for the HTTP round trip.
      expect(Date.now() - started).toBeLessThan(4_500);
      expect((await res.json()).code).toBe('REDIS_UNAVAILABLE');
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await until(async () => (await api.call(`/v1/renders/${renderKey}`)).status === 200, 10_000);
  });
});
