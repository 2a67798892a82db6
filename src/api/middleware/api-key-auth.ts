import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../../errors/index.js';

const REALM = 'Bearer realm="mastercut"';

/**
 * Requires `Authorization: Bearer <key>` with one of `apiKeys`.
 *
 * Keys are compared as SHA-256 digests with `timingSafeEqual`: digests have
 * a fixed length (timingSafeEqual refuses unequal lengths, which would leak
 * the key length), and every configured key is compared, so the time taken
 * says nothing about which key, or how much of one, matched. An empty key
 * list refuses everything: a farm without keys is closed, not open.
 */
export function apiKeyAuth(apiKeys: readonly string[]) {
  const digests = apiKeys.filter((k) => k.length > 0).map(digest);
  return (req: Request, res: Response, next: NextFunction): void => {
    const header = req.get('authorization');
    const match = header ? /^Bearer[ ]+([^\s]+)\s*$/i.exec(header) : null;
    if (!match) {
      res.setHeader('WWW-Authenticate', REALM);
      return next(new AppError('UNAUTHORIZED', 'missing bearer token'));
    }
    const given = digest(match[1]!);
    let ok = false;
    for (const candidate of digests) {
      // No early exit: the loop always does the same work.
      ok = timingSafeEqual(given, candidate) || ok;
    }
    if (!ok) {
      res.setHeader('WWW-Authenticate', `${REALM}, error="invalid_token"`);
      return next(new AppError('UNAUTHORIZED', 'unknown API key'));
    }
    next();
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
