import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../../errors/index.js';
import { bearerKey, challenge, createKeyMatcher } from './api-key-auth.js';
import { createTokenBuckets } from './token-buckets.js';

export interface MintKeyAuthOptions {
  /** MINT_KEYS: the only keys that mint. */
  mintKeys: readonly string[];
  /** API_KEYS and ADMIN_API_KEYS: named in the refusal (MINT_KEY_REQUIRED), so a misconfigured ESP learns why. */
  otherKeys: readonly string[];
  /** Per mint key, in this process. */
  ratePerSecond: number;
  burst: number;
}

/**
 * Requires `Authorization: Bearer <mint key>` and takes one token from that
 * key's bucket. Answers MINT_KEY_MISSING (401), MINT_KEY_REQUIRED (403: an
 * API or admin key, which never mints), MINT_KEY_INVALID (401) and
 * RATE_LIMITED (429 with Retry-After). Keys are compared in constant time.
 */
export function mintKeyAuth(options: MintKeyAuthOptions) {
  const matchMintKey = createKeyMatcher(options.mintKeys);
  const matchOtherKey = createKeyMatcher(options.otherKeys);
  const buckets = createTokenBuckets(options);
  return (req: Request, res: Response, next: NextFunction): void => {
    const key = bearerKey(req);
    if (key === undefined) {
      challenge(res, false);
      return next(new AppError('MINT_KEY_MISSING', 'no mint key'));
    }
    const which = matchMintKey(key);
    if (which === -1) {
      if (matchOtherKey(key) !== -1) return next(new AppError('MINT_KEY_REQUIRED', 'an API or admin key was used to mint'));
      challenge(res, true);
      return next(new AppError('MINT_KEY_INVALID', 'unknown mint key'));
    }
    const wait = buckets.take(which);
    if (wait > 0) return next(new AppError('RATE_LIMITED', 'mint rate of this key exceeded', { details: { retryAfterSeconds: wait } }));
    next();
  };
}
