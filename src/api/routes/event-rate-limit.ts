import type { Request } from 'express';
import type { Redis } from 'ioredis';
import { eventRateKey } from '../../engagement/index.js';
import { AppError } from '../../errors/index.js';

/**
 * Fixed one-minute window per client, counted in events (a beacon or a
 * pixel is one, a batch its length). Throws RATE_LIMITED (429 with
 * Retry-After) past `perMinute`.
 */
export async function rateLimitEvents(redis: Pick<Redis, 'multi'>, client: string, events: number, perMinute: number): Promise<void> {
  const now = Date.now();
  const window = Math.floor(now / 60_000);
  const key = eventRateKey(client, window);
  const reply = await redis.multi().incrby(key, events).expire(key, 120).exec();
  const count = Number(reply?.[0]?.[1] ?? 0);
  if (count > perMinute) {
    throw new AppError('RATE_LIMITED', 'too many events from this client', {
      details: { retryAfterSeconds: Math.max(1, Math.ceil(((window + 1) * 60_000 - now) / 1000)) },
    });
  }
}

/** The client's address as a key part (the request's, as Express trusts proxies). */
export function clientAddress(req: Request): string {
  return (req.ip ?? req.socket.remoteAddress ?? 'unknown').replace(/[^A-Za-z0-9.:_-]/g, '_');
}
