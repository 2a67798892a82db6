import type { Redis } from 'ioredis';
import { redisKeys, runScript, sendRenderStream, type RedisKeys } from '../redis/index.js';


export interface RenderStreamWriter {
  /** Queues bytes; they reach Redis within `flushMs`, in order. */
  write(chunk: Buffer): void;
  /** Flushes and marks the stream complete with its total size. */
  end(): Promise<void>;
  /** Flushes and marks the stream failed (readers cut their response). */
  fail(code: string): Promise<void>;
}

export interface RenderStreamWriterOptions {
  /** The key registry. Default: the farm's. */
  keys?: RedisKeys;
  /** Batch size that triggers a flush. Default 64 KiB. */
  flushBytes?: number;
  /** Longest a chunk waits before it is sent. Default 40 ms. */
  flushMs?: number;
  /** The stream lives this long after its last write: cold readers only. Default 300 s. */
  ttlSeconds?: number;
}

/**
 * Publishes a live render's fragmented MP4 as it is encoded, so any API
 * process can stream it to clients before the render ends. Each try starts
 * with a `start` entry: a reader that already sent bytes of an earlier try
 * must cut its response (the bytes would not match).
 *
 * Entries: `start` (try id), `d` (bytes), `end` (total size), `err` (code).
 * Chunks are batched, so a 2 MB video is about 30 XADDs, not thousands.
 */
export function createRenderStreamWriter(
  redis: Redis,
  renderKey: string,
  attempt: number,
  /** When the render began, in ms on Redis's clock (redisNowMs): an erasure of the key at or after it stops the stream. */
  startedAt: number,
  options: RenderStreamWriterOptions = {},
): RenderStreamWriter {
  const keys = options.keys ?? redisKeys;
  const key = keys.renderStream(renderKey);
  const flushBytes = options.flushBytes ?? 64 * 1024;
  const flushMs = options.flushMs ?? 40;
  const ttl = options.ttlSeconds ?? 300;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let total = 0;
  let timer: NodeJS.Timeout | undefined;
  // Every Redis call goes through this chain, so entries keep the bytes' order.
  const tombstone = keys.keyTombstone(renderKey);
  // The script compares it with the tombstone's time, both on Redis's clock: no margin for hosts' clocks.
  const since = String(startedAt);
  let erased = false;
  // A new try starts a new stream: an earlier try's bytes must not be replayed to new readers.
  let chain: Promise<unknown> = redis.multi().del(key).xadd(key, '*', 'start', String(attempt)).expire(key, ttl).exec();

  const send = (fields: (string | Buffer)[]) => {
    chain = chain.then(async () => {
      if (erased) return;
      const sent = await runScript(redis, sendRenderStream, [key, tombstone], [since, String(ttl), ...fields]);
      if (sent === 0) erased = true;
    });
    // A lost chunk only costs the streaming readers (the file is complete): never fail the render for it.
    chain = chain.catch(() => undefined);
  };
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (pendingBytes === 0) return;
    send(['d', Buffer.concat(pending, pendingBytes)]);
    pending = [];
    pendingBytes = 0;
  };

  return {
    write(chunk) {
      pending.push(chunk);
      pendingBytes += chunk.length;
      total += chunk.length;
      if (pendingBytes >= flushBytes) flush();
      else timer ??= setTimeout(flush, flushMs);
    },
    async end() {
      flush();
      send(['end', String(total)]);
      await chain;
    },
    async fail(code) {
      flush();
      send(['err', code]);
      await chain;
    },
  };
}
