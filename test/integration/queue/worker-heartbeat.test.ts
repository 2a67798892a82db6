import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/errors/index.js';
import { closeRedisConnection, createRedisConnection } from '../../../src/queue/redis-connection.js';
import { listWorkers, startWorkerHeartbeat, workerKey } from '../../../src/queue/worker-heartbeat.js';
import { startTestRedis, type EmbeddedRedis } from '../../helpers/redis-server.js';

let server: EmbeddedRedis;
let redis: Redis;

beforeAll(async () => {
  server = await startTestRedis();
  redis = createRedisConnection(server.url);
});
afterAll(async () => {
  await closeRedisConnection(redis);
  await server.destroy();
});


describe('worker heartbeat (real Redis)', () => {
  it('appears with its info and a TTL, is listed per role, and disappears after stop', async () => {
    const t1 = startWorkerHeartbeat(redis, { role: 'transcode', id: 'gpu-1', info: { encoders: 'nvidia-decode', concurrency: 4 } });
    const r1 = startWorkerHeartbeat(redis, { role: 'render', id: 'cpu-1', info: { concurrency: 2, host: 'node-a', pid: 42 } });
    await Promise.all([t1.beat(), r1.beat()]);
    expect(t1.key).toBe('{mastercut}:workers:transcode:gpu-1');

    const hash = await redis.hgetall(workerKey('transcode', 'gpu-1'));
    expect(hash).toMatchObject({ role: 'transcode', id: 'gpu-1', encoders: 'nvidia-decode', concurrency: '4', pid: String(process.pid) });
    const ttl = await redis.ttl(t1.key);
    expect(ttl).toBeGreaterThan(25);
    expect(ttl).toBeLessThanOrEqual(30);

    const transcoders = await listWorkers(redis, 'transcode');
    expect(transcoders).toHaveLength(1);
    expect(transcoders[0]).toMatchObject({ role: 'transcode', id: 'gpu-1', pid: process.pid, info: { encoders: 'nvidia-decode', concurrency: '4' } });
    expect(Date.parse(transcoders[0]?.lastBeatAt ?? '')).toBeGreaterThan(Date.now() - 5_000);
    const all = await listWorkers(redis);
    expect(all.map((w) => `${w.role}:${w.id}`)).toEqual(['render:cpu-1', 'transcode:gpu-1']);
    // host and pid given in info replace the defaults.
    expect(all[0]).toMatchObject({ host: 'node-a', pid: 42, info: { concurrency: '2' } });

    await t1.stop();
    expect(await redis.exists(t1.key)).toBe(0);
    expect(await listWorkers(redis, 'transcode')).toEqual([]);
    expect((await listWorkers(redis)).map((w) => w.id)).toEqual(['cpu-1']);
    await r1.stop();
    expect(await listWorkers(redis)).toEqual([]);
  });

  it('rewrites the hash every interval, with updated info and without the dropped fields', async () => {
    const hb = startWorkerHeartbeat(redis, { role: 'transcode', id: 'beats', info: { encoders: 'nvidia', gpuSlots: 3 }, intervalMs: 100, ttlSeconds: 2 });
    await hb.beat();
    const first = (await listWorkers(redis, 'transcode'))[0];
    hb.update({ encoders: 'cpu' });
    // Waits for the next interval's beat (a loaded machine may run the 100 ms timer late).
    await expect.poll(async () => (await listWorkers(redis, 'transcode'))[0]?.info, { timeout: 10_000 }).toEqual({ encoders: 'cpu' });
    const later = (await listWorkers(redis, 'transcode'))[0];
    expect(later?.startedAt).toBe(first?.startedAt);
    expect(Date.parse(later?.lastBeatAt ?? '')).toBeGreaterThan(Date.parse(first?.lastBeatAt ?? ''));
    await hb.stop();
    // A beat after stop writes nothing.
    await hb.beat();
    expect(await redis.exists(hb.key)).toBe(0);
  });

  it('a worker whose connection dies (a crash) expires on its own, and stop() then does not hang', async () => {
    const own = createRedisConnection(server.url);
    const errors: unknown[] = [];
    const hb = startWorkerHeartbeat(own, { role: 'render', id: 'crashy', info: {}, intervalMs: 200, ttlSeconds: 1, onError: (e) => errors.push(e) });
    await hb.beat();
    expect((await listWorkers(redis, 'render')).map((w) => w.id)).toEqual(['crashy']);
    own.disconnect();
    await expect.poll(() => listWorkers(redis, 'render'), { timeout: 10_000 }).toEqual([]);
    await expect.poll(() => errors.length, { timeout: 10_000 }).toBeGreaterThan(0);
    await hb.stop();
  });

  it('lists many workers across SCAN pages and ignores unrelated keys', async () => {
    await redis.set('{mastercut}:workersx', '1');
    await redis.hset('{mastercut}:render:job:1', { role: 'render', id: 'x' });
    const beats = Array.from({ length: 250 }, (_, i) =>
      startWorkerHeartbeat(redis, { role: 'transcode', id: `w${String(i).padStart(3, '0')}`, info: { n: i } }),
    );
    await Promise.all(beats.map((b) => b.beat()));
    const listed = await listWorkers(redis, 'transcode');
    expect(listed).toHaveLength(250);
    expect(listed[0]?.id).toBe('w000');
    expect(listed[249]?.info).toEqual({ n: '249' });
    await Promise.all(beats.map((b) => b.stop()));
    expect(await listWorkers(redis)).toEqual([]);
  });

  it('rejects ids that would break the key and info that overrides reserved fields', () => {
    expect(() => startWorkerHeartbeat(redis, { role: 'render', id: 'a:b*', info: {} })).toThrow(/must match/);
    let err: unknown;
    try {
      startWorkerHeartbeat(redis, { role: 'render', id: 'ok', info: { startedAt: 1 } });
    } catch (e) {
      err = e;
    }
    expect(isAppError(err, 'INVALID_ARGUMENT')).toBe(true);
    expect(() => startWorkerHeartbeat(redis, { role: 'render', id: 'ok', info: {}, intervalMs: 30_000, ttlSeconds: 30 })).toThrow(/must exceed/);
  });
});
