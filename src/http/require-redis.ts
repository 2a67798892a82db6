import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../errors/index.js';
import type { RedisHealth } from './to-app-error.js';

/**
 * Answers 503 REDIS_UNAVAILABLE at once when the API's Redis connection is
 * not ready (down, reconnecting), instead of letting the route try a
 * command and wait. Routes behind it also wrap their Redis work in
 * {@link withRedisDeadline} for a Redis that is connected but not answering.
 */
export function requireRedis(redis: RedisHealth) {
  return (_req: Request, _res: Response, next: NextFunction): void => {
    if (redis.status !== 'ready') return next(new AppError('REDIS_UNAVAILABLE', `Redis connection is ${redis.status}`));
    next();
  };
}

/**
 * Rejects with REDIS_UNAVAILABLE when `work` has not settled within `ms`, so
 * no request hangs on Redis whatever the client library does (a stalled
 * server keeps the socket open and ioredis waits). The work itself is not
 * cancelled: everything the API does in Redis is idempotent (job id =
 * render key).
 */
export async function withRedisDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AppError('REDIS_UNAVAILABLE', `Redis did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
