/** Where a login goes when it was not sent from a dashboard page. */
export const DASHBOARD_HOME = '/dashboard';

// Path segments of plain characters only: no `//` (a protocol-relative URL),
// no backslash (browsers read `/\evil` as `//evil`), no `..`, no query or fragment.
const DASHBOARD_PATH = /^\/dashboard(?:\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*\/?$/;

/**
 * The `next` target of a login, kept only when it is a path under
 * `/dashboard` on this origin; anything else (absolute URLs, other paths,
 * traversal, encoded tricks) becomes {@link DASHBOARD_HOME}. This is what
 * keeps the login form from being an open redirect.
 */
export function safeRedirectTarget(next: unknown): string {
  if (typeof next !== 'string' || next.length > 300) return DASHBOARD_HOME;
  if (!DASHBOARD_PATH.test(next) || next.split('/').includes('..')) return DASHBOARD_HOME;
  return next;
}
