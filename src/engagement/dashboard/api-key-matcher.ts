import { createHash, timingSafeEqual } from 'node:crypto';
import { apiKeyId } from './dashboard-session.js';

export interface ApiKeyMatcher {
  /** The id ({@link apiKeyId}) of the configured key equal to `given`, or undefined. */
  match(given: string): string | undefined;
  /** Ids of every configured key: a session is only good while its key is one of them. */
  readonly liveKeyIds: ReadonlySet<string>;
}

/**
 * Compares a presented key with the configured API keys the way
 * `apiKeyAuth` does: SHA-256 digests (fixed length, so the key length does
 * not leak) compared with `timingSafeEqual`, every key every time. Empty
 * keys are ignored; with none configured nothing matches.
 */
export function createApiKeyMatcher(apiKeys: readonly string[]): ApiKeyMatcher {
  const keys = apiKeys.filter((k) => k.length > 0).map((k) => ({ digest: digest(k), id: apiKeyId(k) }));
  return {
    liveKeyIds: new Set(keys.map((k) => k.id)),
    match(given) {
      const candidate = digest(given);
      let found: string | undefined;
      for (const key of keys) {
        // No early exit: the loop always does the same work.
        if (timingSafeEqual(candidate, key.digest)) found = key.id;
      }
      return found;
    },
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
