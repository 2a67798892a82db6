import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '../../errors/index.js';

/** The dashboard's session cookie. Its path is `/dashboard`, so the API routes never see it. */
export const DASHBOARD_SESSION_COOKIE = 'mc_dashboard';

export interface DashboardSessionsOptions {
  /** HMAC key, at least 32 bytes of text. */
  secret: string;
  /** Lifetime of a session from login. */
  ttlSeconds: number;
}

/** Why a session token was refused (logged as a reason, never with the token). */
export type SessionRefusal = 'malformed' | 'bad-signature' | 'expired' | 'key-revoked';

/** `sessionId`: the token's random part, unique per login (what a logout revokes). */
export type SessionCheck = { ok: true; keyId: string; expiresAt: number; sessionId: string } | { ok: false; reason: SessionRefusal };

export interface DashboardSessions {
  /** A new session token for the API key whose id is `keyId` (see {@link apiKeyId}). */
  issue(keyId: string, now?: number): { token: string; expiresAt: number };
  /** Checks signature, expiry and that the key that logged in is still configured. */
  verify(token: string, liveKeyIds: ReadonlySet<string>, now?: number): SessionCheck;
}

const VERSION = 'v1';
const TOKEN = /^v1\.([0-9a-z]{1,12})\.([0-9a-f]{16})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

/**
 * A short, non-secret id of an API key: 16 hex characters of its SHA-256.
 * Sessions carry it so that removing a key from API_KEYS ends the sessions
 * opened with it, without the key itself ever being in the cookie.
 */
export function apiKeyId(apiKey: string): string {
  return createHash('sha256').update(`mastercut-dashboard:${apiKey}`, 'utf8').digest('hex').slice(0, 16);
}

/**
 * Stateless, HMAC-SHA256-signed sessions: `v1.<exp base36>.<keyId>.<random>.<mac>`.
 * Nothing is stored server side, so any API process with the same secret
 * accepts the session, and a tampered or expired token is refused before
 * anything is read. The random part makes every login's token unique.
 */
export function createDashboardSessions(options: DashboardSessionsOptions): DashboardSessions {
  if (Buffer.byteLength(options.secret, 'utf8') < 32) {
    throw new AppError('CONFIG_INVALID', 'DASHBOARD_SESSION_SECRET must be at least 32 characters (e.g. `openssl rand -base64 32`).');
  }
  if (!Number.isInteger(options.ttlSeconds) || options.ttlSeconds < 60) {
    throw new AppError('INVALID_ARGUMENT', 'createDashboardSessions(): ttlSeconds must be a whole number of at least 60');
  }
  const key = createHash('sha256').update(`mastercut-dashboard-session:${options.secret}`, 'utf8').digest();
  const mac = (payload: string) => createHmac('sha256', key).update(payload, 'utf8').digest();

  return {
    issue(keyId, now = Date.now()) {
      if (!/^[0-9a-f]{16}$/.test(keyId)) throw new AppError('INVALID_ARGUMENT', 'issue(): keyId must come from apiKeyId()');
      const expiresAt = now + options.ttlSeconds * 1000;
      const payload = `${VERSION}.${expiresAt.toString(36)}.${keyId}.${randomBytes(16).toString('base64url')}`;
      return { token: `${payload}.${mac(payload).toString('base64url')}`, expiresAt };
    },
    verify(token, liveKeyIds, now = Date.now()) {
      const match = TOKEN.exec(token);
      if (!match) return { ok: false, reason: 'malformed' };
      const given = Buffer.from(match[4]!, 'base64url');
      const expected = mac(token.slice(0, token.lastIndexOf('.')));
      // Both are 32 bytes (the pattern fixes the length), so the comparison is constant time.
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad-signature' };
      const expiresAt = parseInt(match[1]!, 36);
      if (!Number.isSafeInteger(expiresAt) || expiresAt <= now) return { ok: false, reason: 'expired' };
      if (!liveKeyIds.has(match[2]!)) return { ok: false, reason: 'key-revoked' };
      return { ok: true, keyId: match[2]!, expiresAt, sessionId: match[3]! };
    },
  };
}
