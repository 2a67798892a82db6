import type { Redis } from 'ioredis';
import { redisKeys, type RedisKeys } from '../redis/index.js';

export type RenderStreamEvent =
  | { type: 'data'; chunk: Buffer }
  | { type: 'end'; total: number }
  /** The render failed (code), or a new try began after bytes were sent ('RESTARTED'), or nothing came ('TIMEOUT'). */
  | { type: 'error'; code: string };

export interface RenderStreamHubOptions {
  /** A new blocking connection (XREAD BLOCK holds it). */
  connect: () => Redis;
  /** The key registry. Default: the farm's. */
  keys?: RedisKeys;
  /** Give up when the stream shows nothing for this long. Default 60 s. */
  idleTimeoutMs?: number;
}

interface Feed {
  events: RenderStreamEvent[];
  done: boolean;
  wake: Set<() => void>;
}

export interface RenderStreamHub {
  /** Every event of a render's stream from its first byte, whenever one subscribes. */
  subscribe(renderKey: string, signal?: AbortSignal): AsyncGenerator<RenderStreamEvent>;
  close(): Promise<void>;
}

/**
 * Single flight for streaming readers in one API process: however many
 * clients wait on one cold video, one blocking XREAD reads its stream and
 * every client replays the same events from the first byte, so they all get
 * identical bytes. Other API processes run their own reader on the same
 * Redis stream.
 */
export function createRenderStreamHub(options: RenderStreamHubOptions): RenderStreamHub {
  const feeds = new Map<string, Feed>();
  const connections = new Set<Redis>();
  const idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
  let closed = false;

  const push = (feed: Feed, event: RenderStreamEvent) => {
    feed.events.push(event);
    if (event.type !== 'data') feed.done = true;
    for (const wake of feed.wake) wake();
    feed.wake.clear();
  };

  async function read(renderKey: string, feed: Feed): Promise<void> {
    const redis = options.connect();
    connections.add(redis);
    const key = (options.keys ?? redisKeys).renderStream(renderKey);
    let lastId = '0-0';
    let started = false;
    let sent = false;
    let idleSince = Date.now();
    try {
      while (!feed.done && !closed) {
        const reply = await redis.xreadBuffer('COUNT', 100, 'BLOCK', 1000, 'STREAMS', key, lastId);
        if (!reply) {
          if (Date.now() - idleSince > idleTimeoutMs) push(feed, { type: 'error', code: 'TIMEOUT' });
          continue;
        }
        idleSince = Date.now();
        for (const [id, fields] of reply[0]![1]) {
          lastId = id.toString();
          const name = fields[0]!.toString();
          const value = fields[1]!;
          if (name === 'start') {
            // A retry restarts the bytes: fine before any was sent, fatal after.
            if (started && sent) push(feed, { type: 'error', code: 'RESTARTED' });
            started = true;
          } else if (name === 'd') {
            sent = true;
            push(feed, { type: 'data', chunk: value });
          } else if (name === 'end') push(feed, { type: 'end', total: Number(value.toString()) });
          else if (name === 'err') push(feed, { type: 'error', code: value.toString() });
          if (feed.done) break;
        }
      }
    } catch (err) {
      if (!feed.done) push(feed, { type: 'error', code: 'REDIS_UNAVAILABLE' });
      void err;
    } finally {
      connections.delete(redis);
      redis.disconnect();
      // A finished feed is not kept: a later render of the same key (after an
      // erasure or eviction) must not replay these bytes. Late readers of this
      // render read its Redis stream again from the start.
      if (feeds.get(renderKey) === feed) feeds.delete(renderKey);
    }
  }

  return {
    async *subscribe(renderKey, signal) {
      let feed = feeds.get(renderKey);
      if (!feed) {
        feed = { events: [], done: false, wake: new Set() };
        feeds.set(renderKey, feed);
        void read(renderKey, feed);
      }
      for (let i = 0; ; i++) {
        while (i >= feed.events.length) {
          if (signal?.aborted) return;
          await new Promise<void>((resolve) => {
            feed.wake.add(resolve);
            signal?.addEventListener('abort', () => resolve(), { once: true });
          });
        }
        const event = feed.events[i]!;
        yield event;
        if (event.type !== 'data') return;
      }
    },
    async close() {
      closed = true;
      for (const redis of connections) redis.disconnect();
    },
  };
}
