import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../../errors/index.js';

const CHALLENGE = 'Basic realm="mastercut admin", charset="UTF-8"';

/**
 * Requires one of `adminKeys`, given either as the password of HTTP Basic
 * (any user name: browsers prompt for it) or as `Authorization: Bearer <key>`
 * (scripts). Like the API key check, keys are compared as SHA-256 digests
 * with timingSafeEqual against every key, so neither the time taken nor an
 * early exit says which key or how much of one matched. Every answer,
 * refusals included, is `Cache-Control: no-store`: admin pages hold job data
 * and must not stay in a shared or browser cache. An empty key list refuses
 * everything.
 */
export function adminAuth(adminKeys: readonly string[]) {
  const digests = adminKeys.filter((k) => k.length > 0).map(digest);
  return (req: Request, res: Response, next: NextFunction): void => {
    res.setHeader('Cache-Control', 'no-store');
    const given = presentedKey(req.get('authorization'));
    let ok = false;
    if (given !== undefined) {
      const d = digest(given);
      for (const candidate of digests) ok = timingSafeEqual(d, candidate) || ok;
    }
    if (!ok) {
      res.setHeader('WWW-Authenticate', CHALLENGE);
      return next(new AppError('UNAUTHORIZED', given === undefined ? 'missing admin credentials' : 'unknown admin key'));
    }
    next();
  };
}

/** The key in a Basic (its password) or Bearer Authorization header. */
function presentedKey(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const bearer = /^Bearer[ ]+([^\s]+)\s*$/i.exec(header);
  if (bearer) return bearer[1]!;
  const basic = /^Basic[ ]+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!basic) return undefined;
  const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
