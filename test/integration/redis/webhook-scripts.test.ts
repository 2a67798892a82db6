import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runScript, scrubDeadLetters, updateWebhookEndpoint, webhookKeys } from '../../../src/redis/index.js';
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
});

describe('the webhook scripts, through the runner', () => {
  it('updateWebhookEndpoint writes and bumps the version only while the endpoint exists', async () => {
    const keys = [webhookKeys.endpoint('ep_1'), webhookKeys.version];
    expect(await runScript(redis, updateWebhookEndpoint, keys, ['enabled', 'false'])).toBe(0);
    expect(await redis.exists(keys[0]!)).toBe(0);
    await redis.hset(keys[0]!, 'url', 'https://example.test/hook');
    expect(await runScript(redis, updateWebhookEndpoint, keys, ['enabled', 'false'])).toBe(1);
    expect(await redis.hgetall(keys[0]!)).toEqual({ url: 'https://example.test/hook', enabled: 'false' });
    expect(await redis.get(webhookKeys.version)).toBe('1');
  });

  it('scrubDeadLetters removes one recipient\'s events and drops letters left empty', async () => {
    const letter = (ids: string[]) => JSON.stringify({ endpointId: 'ep_1', events: ids.map((recipientId) => ({ recipientId })) });
    await redis.rpush(webhookKeys.deadLetters, letter(['a', 'b']), letter(['a']), letter(['c']));
    expect(await runScript(redis, scrubDeadLetters, [webhookKeys.deadLetters], ['a'])).toBe(2);
    const left = (await redis.lrange(webhookKeys.deadLetters, 0, -1)).map((raw) => (JSON.parse(raw) as { events: { recipientId: string }[] }).events.map((e) => e.recipientId));
    expect(left).toEqual([['b'], ['c']]);
  });
});
