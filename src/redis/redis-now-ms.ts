import type { Redis } from 'ioredis';

/**
 * Redis's clock in milliseconds since the epoch (the `TIME` command, rounded
 * down). Hosts' clocks differ; times that another host compares (an erasure's
 * key tombstone against a render's start) are all read from here, so they
 * are on one clock and need no skew margin.
 */
export async function redisNowMs(redis: Pick<Redis, 'time'>): Promise<number> {
  // ioredis types TIME as numbers but hands back the strings Redis sends.
  const [seconds, micros] = (await redis.time()) as (number | string)[];
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}
