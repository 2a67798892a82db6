/**
 * Milliseconds to wait from a `Retry-After` header (RFC 9110 §10.2.3):
 * delay-seconds or an HTTP date. Null when absent or unreadable; a date in
 * the past is 0.
 */
export function parseRetryAfter(value: string | string[] | undefined, nowMs = Date.now()): number | null {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return null;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Only the IMF-fixdate family is meant here; Date.parse also reads the obsolete forms.
  if (!/[A-Za-z]/.test(text)) return null;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - nowMs);
}
