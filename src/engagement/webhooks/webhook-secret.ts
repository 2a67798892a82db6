import { randomBytes } from 'node:crypto';
import { AppError } from '../../errors/index.js';

/** Standard Webhooks secrets: `whsec_` then the base64 of the key bytes. */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';
const MIN_KEY_BYTES = 24;
const MAX_KEY_BYTES = 64;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** A fresh secret: 32 random bytes (the spec asks for 24 to 64). */
export function generateWebhookSecret(): string {
  return `${WEBHOOK_SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

/** Why a secret is unusable, or null when it is a valid `whsec_` secret. */
export function describeBadWebhookSecret(secret: string): string | null {
  if (!secret.startsWith(WEBHOOK_SECRET_PREFIX)) return `a secret starts with "${WEBHOOK_SECRET_PREFIX}"`;
  const encoded = secret.slice(WEBHOOK_SECRET_PREFIX.length);
  if (!BASE64.test(encoded) || encoded.length % 4 !== 0) return `the part after "${WEBHOOK_SECRET_PREFIX}" must be standard base64 (A-Z a-z 0-9 + /, = padding)`;
  const bytes = Buffer.from(encoded, 'base64').length;
  if (bytes < MIN_KEY_BYTES || bytes > MAX_KEY_BYTES) {
    return `the key must be ${MIN_KEY_BYTES} to ${MAX_KEY_BYTES} bytes once base64-decoded (it is ${bytes})`;
  }
  return null;
}

/**
 * The HMAC key bytes of a `whsec_` secret. Throws INVALID_ARGUMENT saying
 * what is wrong (never echoing the secret).
 */
export function decodeWebhookSecret(secret: string): Buffer {
  const why = describeBadWebhookSecret(secret);
  if (why) throw new AppError('INVALID_ARGUMENT', `invalid webhook secret: ${why}`, { details: { issues: [{ path: 'secret', message: why }] } });
  return Buffer.from(secret.slice(WEBHOOK_SECRET_PREFIX.length), 'base64');
}

/** What may be shown of a secret (or a CDP write key) after creation: its first characters only. */
export function webhookSecretHint(secret: string): string {
  return secret.startsWith(WEBHOOK_SECRET_PREFIX) ? `${secret.slice(0, WEBHOOK_SECRET_PREFIX.length + 4)}…` : `${secret.slice(0, 4)}…`;
}
