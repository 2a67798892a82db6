import type { Redis } from 'ioredis';

/** HSCAN page size. */
const SCAN_COUNT = 1000;

/**
 * The fields of a hash, a page at a time (HSCAN), so Redis is never
 * blocked by a large hash. HSCAN may return a field more than once while
 * the hash is rehashed: callers key what they collect by field.
 */
export async function* scanHash(redis: Redis, key: string): AsyncGenerator<[string, string][]> {
  let cursor = '0';
  do {
    const [next, flat] = await redis.hscan(key, cursor, 'COUNT', SCAN_COUNT);
    cursor = next;
    const page: [string, string][] = [];
    for (let i = 0; i < flat.length; i += 2) page.push([flat[i]!, flat[i + 1]!]);
    if (page.length > 0) yield page;
  } while (cursor !== '0');
}
