import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defineScript, runScript, scriptRunner } from '../../../src/redis/index.js';
import { startTestRedis, type EmbeddedRedis } from '../../helpers/redis-server.js';

let server: EmbeddedRedis;
let redis: Redis;

beforeAll(async () => {
  server = await startTestRedis();
  redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
  await server?.destroy();
});
beforeEach(async () => {
  await redis.flushdb();
  await redis.script('FLUSH');
});

const incrBy = defineScript('incrBy', `return redis.call('INCRBY', KEYS[1], tonumber(ARGV[1]))`);

describe('runScript', () => {
  it('names the script by the SHA1 Redis gives it', async () => {
    expect(await redis.script('LOAD', incrBy.lua)).toBe(incrBy.sha);
  });

  it('loads an unknown script on NOSCRIPT, then runs it by its SHA1', async () => {
    expect(await redis.script('EXISTS', incrBy.sha)).toEqual([0]);
    expect(await runScript(redis, incrBy, ['{mastercut}:n'], [2])).toBe(2);
    expect(await redis.script('EXISTS', incrBy.sha)).toEqual([1]);
    expect(await runScript(redis, incrBy, ['{mastercut}:n'], [3])).toBe(5);
  });

  it('survives a SCRIPT FLUSH between calls (a restart or failover looks the same)', async () => {
    const run = scriptRunner(redis, incrBy);
    expect(await run(['{mastercut}:n'], [1])).toBe(1);
    await redis.script('FLUSH');
    expect(await run(['{mastercut}:n'], [1])).toBe(2);
  });

  it('passes binary arguments through untouched', async () => {
    const append = defineScript('append', `return redis.call('APPEND', KEYS[1], ARGV[1])`);
    const bytes = Buffer.from([0, 255, 10, 13, 128]);
    await runScript(redis, append, ['{mastercut}:b'], [bytes]);
    expect(await redis.getBuffer('{mastercut}:b')).toEqual(bytes);
  });

  it('raises a script error as is (no fallback for anything but NOSCRIPT)', async () => {
    const broken = defineScript('broken', `return redis.call('HGET', KEYS[1])`);
    await expect(runScript(redis, broken, ['{mastercut}:x'])).rejects.toThrow(/wrong number|ERR/i);
  });

  it('runs concurrent first calls once loaded by whichever lands first', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => runScript(redis, incrBy, ['{mastercut}:c'], [1])));
    expect(results.map(Number).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });
});
