import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../../errors/index.js';

/** How many rounds of percent-decoding are undone: catches `%252e%252e` style double encoding. */
const DECODE_ROUNDS = 3;

/**
 * Refuses, before any routing, a path whose segments try to climb or smuggle
 * separators: `..` or `.` segments (raw, percent-encoded, double-encoded),
 * backslashes, NUL bytes and undecodable escapes. Route params are also
 * checked against strict patterns; this guard makes the answer a clear 400
 * INVALID_KEY even where no route would match (a raw `../` would otherwise
 * just miss every route), and is a second wall in front of the stores.
 */
export function pathGuard() {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const raw = req.url.split('?', 1)[0]!;
    let current = raw;
    for (let round = 0; round <= DECODE_ROUNDS; round++) {
      if (isSuspicious(current)) return next(new AppError('INVALID_KEY', 'path traversal attempt refused'));
      let decoded: string;
      try {
        decoded = decodeURIComponent(current);
      } catch {
        return next(new AppError('INVALID_KEY', 'undecodable path'));
      }
      if (decoded === current) break;
      current = decoded;
    }
    next();
  };
}

function isSuspicious(path: string): boolean {
  if (path.includes('\\') || path.includes('\0')) return true;
  return path.split('/').some((segment) => segment === '..' || segment === '.');
}
