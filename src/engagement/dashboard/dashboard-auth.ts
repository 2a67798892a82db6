import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { AppError } from '../../errors/index.js';
import type { ApiKeyMatcher } from './api-key-matcher.js';
import { DASHBOARD_SESSION_COOKIE, type DashboardSessions } from './dashboard-session.js';
import type { SessionRevocations } from './session-revocations.js';

/** How an unauthenticated request is answered: pages send people to the login form, data answers 401. */
export type DashboardAuthFailure = 'redirect' | 'unauthorized';

export interface DashboardAuthDeps {
  keys: ApiKeyMatcher;
  sessions: DashboardSessions;
  /** Sessions ended by logout; without it, a session lasts until it expires. */
  revocations?: SessionRevocations;
  logger?: Logger;
  /** The login page, given the path to come back to. */
  loginUrl(next: string): string;
}

/**
 * Lets a request through with `Authorization: Bearer <API key>` or a valid
 * session cookie that was not logged out. A Bearer header that is present
 * but wrong is refused outright (401, even for pages): a script with a bad
 * key should hear so, not be sent to a form. Otherwise the cookie decides; without a good one,
 * pages redirect to the login form (303, coming back afterwards) and data
 * answers 401 JSON.
 */
export function dashboardAuth(deps: DashboardAuthDeps, onFailure: DashboardAuthFailure) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const header = req.get('authorization');
    if (header !== undefined) {
      const match = /^Bearer[ ]+([^\s]+)\s*$/i.exec(header);
      if (match && deps.keys.match(match[1]!) !== undefined) return next();
      res.setHeader('WWW-Authenticate', 'Bearer realm="mastercut", error="invalid_token"');
      return next(new AppError('UNAUTHORIZED', match ? 'unknown API key' : 'malformed Authorization header'));
    }
    const token = readCookie(req.get('cookie'), DASHBOARD_SESSION_COOKIE);
    if (token !== undefined) {
      const check = deps.sessions.verify(token, deps.keys.liveKeyIds);
      if (check.ok && !(await deps.revocations?.isRevoked(check.sessionId))) return next();
      // The reason helps an operator (expired vs tampered vs revoked key); the token is never logged.
      deps.logger?.info({ reason: check.ok ? 'logged-out' : check.reason }, 'dashboard session refused');
    }
    if (onFailure === 'redirect' && (req.method === 'GET' || req.method === 'HEAD')) {
      res.setHeader('Cache-Control', 'no-store');
      return res.redirect(303, deps.loginUrl(req.baseUrl + req.path));
    }
    res.setHeader('WWW-Authenticate', 'Bearer realm="mastercut"');
    next(new AppError('UNAUTHORIZED', 'no API key and no valid dashboard session'));
  };
}

/** One cookie's value from a `Cookie` header (the first of that name), undefined when absent. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
