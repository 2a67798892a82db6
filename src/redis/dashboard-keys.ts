import { HASH_TAG } from './keys.js';

/** A revoked dashboard session (its random part): `<prefix><sessionId>`, kept until the session would have expired. */
export const REVOKED_SESSION_PREFIX = `${HASH_TAG}:dash:revoked:`;

/** The key of one revoked dashboard session (src/engagement/dashboard). */
export function revokedSessionKey(sessionId: string): string {
  return REVOKED_SESSION_PREFIX + sessionId;
}
