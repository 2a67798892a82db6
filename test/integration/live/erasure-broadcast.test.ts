import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createErasureBroadcast, type ErasureBroadcast } from '../../../src/live/index.js';
import { startTestRedis, type EmbeddedRedis } from '../../helpers/redis-server.js';

/** The erasure broadcast between API processes (issue 13): every process runs its handlers before `announce` returns. */

let server: EmbeddedRedis;
const clients: Redis[] = [];
const connect = () => {
  const client = new Redis(server.url, { maxRetriesPerRequest: null });
  clients.push(client);
  return client;
};

beforeAll(async () => {
  server = await startTestRedis();
});
afterAll(async () => {
  for (const client of clients) client.disconnect();
  await server?.destroy();
});

async function untilSubscribers(n: number): Promise<void> {
  const probe = connect();
  for (;;) {
    const [, count] = (await probe.pubsub('NUMSUB', '{mastercut}:erasures')) as [string, number];
    if (Number(count) === n) return;
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function process(): Promise<{ broadcast: ErasureBroadcast; heard: string[] }> {
  const broadcast = createErasureBroadcast({ redis: connect(), connect }, { ackTimeoutMs: 60_000 });
  const heard: string[] = [];
  broadcast.onErased((subject) => heard.push(subject));
  await broadcast.start();
  return { broadcast, heard };
}

describe('erasure broadcast', () => {
  it('announce returns once every subscribed process ran its handlers and confirmed', async () => {
    const [a, b, c] = [await process(), await process(), await process()];
    expect(a.broadcast.live() && b.broadcast.live() && c.broadcast.live()).toBe(true);
    const result = await a.broadcast.announce('f'.repeat(64));
    // Three receivers (the announcer's own subscriber included), three confirmations: no timeout was waited for.
    expect(result).toEqual({ receivers: 3, acks: 3 });
    // Already run everywhere when announce returned (the announcer runs its own at once, and again on its message).
    expect(b.heard).toEqual(['f'.repeat(64)]);
    expect(c.heard).toEqual(['f'.repeat(64)]);
    expect(a.heard[0]).toBe('f'.repeat(64));
    await c.broadcast.close();
    expect(c.broadcast.live()).toBe(false);
    await untilSubscribers(2);
    expect(await b.broadcast.announce('e'.repeat(64))).toEqual({ receivers: 2, acks: 2 });
    expect(c.heard).toEqual(['f'.repeat(64)]);
    await a.broadcast.close();
    await b.broadcast.close();
  });

  it('a process whose subscription drops is not live until it is subscribed again', async () => {
    const a = await process();
    const subscriber = clients[clients.length - 1]!;
    const closed = new Promise<void>((resolve) => subscriber.once('close', () => resolve()));
    subscriber.disconnect(true); // reconnects by itself
    await closed;
    expect(a.broadcast.live()).toBe(false);
    await new Promise<void>((resolve) => subscriber.once('ready', () => resolve()));
    await new Promise<void>((resolve) => {
      const check = () => (a.broadcast.live() ? resolve() : setTimeout(check, 10));
      check();
    });
    expect(await a.broadcast.announce('d'.repeat(64))).toEqual({ receivers: 1, acks: 1 });
    await a.broadcast.close();
  });
});
