import { createHash } from 'node:crypto';

/**
 * A deterministic event id for events the farm makes itself (delivered,
 * impression, cta_click): the same parts always give the same id, so a
 * retried hook or request is deduplicated by ingestion. 32 base64url
 * characters of SHA-256 (192 bits), prefixed `s_` so it never looks like a
 * client's random id. The parts may hold personal data: only their hash
 * leaves here.
 */
export function serverEventId(parts: readonly (string | number)[]): string {
  return `s_${createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 32)}`;
}
