import type { Redis } from 'ioredis';
import { revokedSessionKey } from '../../redis/index.js';

/** Built by the key registry (src/redis); re-exported for the dashboard's callers. */
export { REVOKED_SESSION_PREFIX } from '../../redis/index.js';

/**
 * Sessions ended by logout. Session cookies are stateless (HMAC-signed), so
 * a copy of one would keep working until its expiry; logout records the
 * session's id here, for as long as the session had left, and every API
 * process sharing the Redis refuses it from then on.
 */
export interface SessionRevocations {
  revoke(sessionId: string, expiresAt: number): Promise<void>;
  isRevoked(sessionId: string): Promise<boolean>;
}

export function createSessionRevocations(redis: Pick<Redis, 'set' | 'exists'>): SessionRevocations {
  return {
    async revoke(sessionId, expiresAt) {
      const seconds = Math.ceil((expiresAt - Date.now()) / 1000);
      if (seconds > 0) await redis.set(revokedSessionKey(sessionId), '1', 'EX', seconds);
    },
    async isRevoked(sessionId) {
      return (await redis.exists(revokedSessionKey(sessionId))) === 1;
    },
  };
}
