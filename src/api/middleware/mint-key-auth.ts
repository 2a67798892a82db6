import { AppError } from '../../errors/index.js';
import { bearerChallenge, bearerKey, createKeyMatcher } from './api-key-auth.js';
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

/** A refusal, with the WWW-Authenticate challenge of a 401. */
export type MintKeyRefusal = { error: AppError; challenge?: string };

/**
 * Checks `Authorization: Bearer <mint key>` and takes one token from that
 * key's bucket; undefined when the call may mint. Refusals:
 * MINT_KEY_MISSING (401), MINT_KEY_REQUIRED (403: an API or admin key,
 * which never mints), MINT_KEY_INVALID (401) and RATE_LIMITED (429 with
 * Retry-After). Keys are compared in constant time.
 */
export function createMintKeyCheck(options: MintKeyAuthOptions): (authorization: string | undefined) => MintKeyRefusal | undefined {
  const matchMintKey = createKeyMatcher(options.mintKeys);
  const matchOtherKey = createKeyMatcher(options.otherKeys);
  const buckets = createTokenBuckets(options);
  return (authorization) => {
    const key = bearerKey(authorization);
    if (key === undefined) return { error: new AppError('MINT_KEY_MISSING', 'no mint key'), challenge: bearerChallenge(false) };
    const which = matchMintKey(key);
    if (which === -1) {
      if (matchOtherKey(key) !== -1) return { error: new AppError('MINT_KEY_REQUIRED', 'an API or admin key was used to mint') };
      return { error: new AppError('MINT_KEY_INVALID', 'unknown mint key'), challenge: bearerChallenge(true) };
    }
    const wait = buckets.take(which);
    if (wait > 0) return { error: new AppError('RATE_LIMITED', 'mint rate of this key exceeded', { details: { retryAfterSeconds: wait } }) };
    return undefined;
  };
}
