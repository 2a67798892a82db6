import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../../errors/index.js';

const REALM = 'Bearer realm="mastercut"';
const BEARER = /^Bearer[ ]+([^\s]+)\s*$/i;

/** The key of an `Authorization: Bearer <key>` header, or undefined when it is absent or malformed. */
export function bearerKey(header: string | undefined): string | undefined {
  return header ? BEARER.exec(header)?.[1] : undefined;
}

/** The `WWW-Authenticate` of a 401 (with `error="invalid_token"` when a key was given but refused). */
export function bearerChallenge(invalidToken: boolean): string {
  return invalidToken ? `${REALM}, error="invalid_token"` : REALM;
}

/**
 * A constant-time matcher over a key list: returns the position of the key
 * given, or -1.
 *
 * Keys are compared as SHA-256 digests with `timingSafeEqual`: digests have
 * a fixed length (timingSafeEqual refuses unequal lengths, which would leak
 * the key length), and every configured key is compared, so the time taken
 * says nothing about which key, or how much of one, matched.
 */
export function createKeyMatcher(keys: readonly string[]): (given: string) => number {
  const digests = keys.filter((k) => k.length > 0).map(digest);
  const positions = keys.map((k, i) => [k, i] as const).filter(([k]) => k.length > 0).map(([, i]) => i);
  return (given) => {
    const candidate = digest(given);
    let found = -1;
    digests.forEach((d, i) => {
      // No early exit: the loop always does the same work.
      if (timingSafeEqual(candidate, d) && found === -1) found = positions[i]!;
    });
    return found;
  };
}

export interface ApiKeyAuthOptions {
  /** Mint keys (MINT_KEYS): refused here with MINT_KEY_FORBIDDEN (403), which says what they are for. */
  mintKeys?: readonly string[];
}

/**
 * Requires `Authorization: Bearer <key>` with one of `apiKeys`. An empty key
 * list refuses everything: a farm without keys is closed, not open.
 */
export function apiKeyAuth(apiKeys: readonly string[], options: ApiKeyAuthOptions = {}) {
  const matchApiKey = createKeyMatcher(apiKeys);
  const matchMintKey = createKeyMatcher(options.mintKeys ?? []);
  return (req: Request, res: Response, next: NextFunction): void => {
    const key = bearerKey(req.get('authorization'));
    if (key === undefined) {
      res.setHeader('WWW-Authenticate', bearerChallenge(false));
      return next(new AppError('UNAUTHORIZED', 'missing bearer token'));
    }
    if (matchApiKey(key) !== -1) return next();
    if (matchMintKey(key) !== -1) return next(new AppError('MINT_KEY_FORBIDDEN', 'a mint key was used on a route other than minting'));
    res.setHeader('WWW-Authenticate', bearerChallenge(true));
    next(new AppError('UNAUTHORIZED', 'unknown API key'));
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
