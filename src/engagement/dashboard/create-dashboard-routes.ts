import { randomBytes } from 'node:crypto';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { requireRedis, withRedisDeadline, checkParam, type RedisHealth, escapeHtml } from '../../http/index.js';
import { AppError, isAppError } from '../../errors/index.js';
import { METRICS_CAMPAIGN_ID_PATTERN } from '../engagement-keys.js';
import { ltvCsv } from '../ltv-csv.js';
import { createApiKeyMatcher } from './api-key-matcher.js';
import { lazyDashboardClient, type DashboardClient } from './build-dashboard-client.js';
import { dashboardCsp, newNonce, setDashboardHeaders } from './dashboard-csp.js';
import { dashboardAuth, readCookie } from './dashboard-auth.js';
import { createDashboardSessions, DASHBOARD_SESSION_COOKIE } from './dashboard-session.js';
import type { SessionRevocations } from './session-revocations.js';
import { DASHBOARD_STYLES } from './dashboard-styles.js';
import { createDashboardData, type DashboardDataDeps } from './load-dashboard-data.js';
import { createLoginThrottle } from './login-throttle.js';
import { renderDashboardPage } from './render-dashboard-page.js';
import { renderLoginPage } from './render-login-page.js';
import { DASHBOARD_HOME, safeRedirectTarget } from './safe-redirect-target.js';

/** Where createApp mounts the dashboard; its URLs, cookie path and redirect checks all assume it. */
export const DASHBOARD_BASE = '/dashboard';

export interface DashboardRoutesDeps extends DashboardDataDeps {
  /** The API keys (API_KEYS): a Bearer key or the key typed into the login form must be one of them. */
  apiKeys: readonly string[];
  /** The API's Redis connection: data answers 503 at once while it is not ready. */
  redis?: RedisHealth;
  /** Where logout records ended sessions (createSessionRevocations on the farm's Redis); without it logout only clears the cookie. */
  revocations?: SessionRevocations;
  logger?: Logger;
}

export interface DashboardRoutesOptions {
  /** HMAC key of session cookies (DASHBOARD_SESSION_SECRET). Unset: random per process, with a warning. */
  sessionSecret?: string;
  /** Session lifetime. Default 8 hours. */
  sessionTtlSeconds?: number;
  /** Page refresh period while the campaign renders. Default 5000 ms. */
  refreshMs?: number;
  /** Webhook failures listed. Default 20. */
  failuresLimit?: number;
  /** `Secure` session cookies: `'auto'` (default) when the request came over https (honours Express `trust proxy`). */
  secureCookies?: boolean | 'auto';
  /** Deadline of one data load. Default 2000 ms. */
  redisTimeoutMs?: number;
  /** Failed logins per client address per minute before 429. Default 10. */
  maxLoginFailures?: number;
  /** The compiled client; default: built with esbuild on first request, then kept in memory. */
  client?: () => Promise<DashboardClient>;
}

/**
 * The campaign dashboard, to mount at `/dashboard` (outside the `/v1` API
 * key middleware: it takes the key itself, or a session):
 *
 * - `GET /campaigns/:id`: the page (funnel, per-channel bars, time to first
 *   response, cross-channel and consistency figures, render progress,
 *   webhook failures); it refreshes itself until the campaign is finished.
 * - `GET /campaigns/:id/data`: the same figures as JSON, `Cache-Control: no-store`.
 * - `GET /login`, `POST /login` (form: `apiKey`, `next`), `POST /logout`
 *   (ends the session server side when `revocations` is given).
 * - `GET /assets/dashboard-<hash>.js`: the client (immutable).
 *
 * Auth: `Authorization: Bearer <API key>` or the HMAC-signed session cookie
 * set by the login form. Every answer gets the security headers of
 * setDashboardHeaders(); pages get a nonce CSP.
 */
export function createDashboardRoutes(deps: DashboardRoutesDeps, options: DashboardRoutesOptions = {}): Router {
  const logger = deps.logger;
  const ttlSeconds = options.sessionTtlSeconds ?? 8 * 3600;
  const redisTimeoutMs = options.redisTimeoutMs ?? 2_000;
  const secureCookies = options.secureCookies ?? 'auto';
  const keys = createApiKeyMatcher(deps.apiKeys);
  const sessions = createDashboardSessions({ secret: resolveSecret(options.sessionSecret, logger), ttlSeconds });
  const loadData = createDashboardData(deps, { refreshMs: options.refreshMs ?? 5_000, failuresLimit: options.failuresLimit ?? 20 });
  const client = options.client ?? lazyDashboardClient();
  const throttle = createLoginThrottle({ maxFailures: options.maxLoginFailures ?? 10, windowMs: 60_000 });
  const loginUrl = (next: string) => `${DASHBOARD_BASE}/login?next=${encodeURIComponent(safeRedirectTarget(next))}`;
  const authDeps = { keys, sessions, logger, loginUrl, ...(deps.revocations ? { revocations: deps.revocations } : {}) };
  const pageAuth = dashboardAuth(authDeps, 'redirect');
  const dataAuth = dashboardAuth(authDeps, 'unauthorized');
  const ready = deps.redis ? requireRedis(deps.redis) : (_req: Request, _res: Response, next: NextFunction) => next();
  const form = express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 5 });

  const router = Router();
  router.use((_req: Request, res: Response, next: NextFunction) => {
    setDashboardHeaders(res);
    next();
  });
  // The ids the metrics API takes: the farm's campaigns and other systems' (events only).
  checkParam(router, 'id', METRICS_CAMPAIGN_ID_PATTERN);

  const sendHtml = (res: Response, status: number, nonce: string, html: string) => {
    res.status(status).setHeader('Content-Security-Policy', dashboardCsp(nonce)).type('html').send(html);
  };
  const isSecure = (req: Request) => secureCookies === true || (secureCookies === 'auto' && req.secure);
  const cookie = (req: Request, value: string, maxAgeSeconds: number) =>
    `${DASHBOARD_SESSION_COOKIE}=${value}; Path=${DASHBOARD_BASE}; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Strict${isSecure(req) ? '; Secure' : ''}`;

  router.get('/', pageAuth, (req: Request, res: Response) => {
    const campaign = typeof req.query.campaign === 'string' ? req.query.campaign.trim() : '';
    if (METRICS_CAMPAIGN_ID_PATTERN.test(campaign)) return res.redirect(303, `${DASHBOARD_BASE}/campaigns/${encodeURIComponent(campaign)}`);
    const nonce = newNonce();
    sendHtml(res, 200, nonce, openCampaignPage(nonce, campaign !== ''));
  });

  router.get('/login', (req: Request, res: Response) => {
    const nonce = newNonce();
    sendHtml(res, 200, nonce, renderLoginPage({ nonce, action: `${DASHBOARD_BASE}/login`, next: safeRedirectTarget(req.query.next) }));
  });

  router.post('/login', sameOrigin, form, (req: Request, res: Response) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const next = loginTarget(body.next);
    const client = req.socket.remoteAddress ?? 'unknown';
    const wait = throttle.retryAfterSeconds(client);
    if (wait > 0) {
      res.setHeader('Retry-After', String(wait));
      const nonce = newNonce();
      return sendHtml(res, 429, nonce, renderLoginPage({ nonce, action: `${DASHBOARD_BASE}/login`, next, error: `Too many attempts; try again in ${wait} s.` }));
    }
    const keyId = typeof body.apiKey === 'string' && body.apiKey.length > 0 ? keys.match(body.apiKey) : undefined;
    if (keyId === undefined) {
      throttle.failed(client);
      logger?.info('dashboard login refused');
      const nonce = newNonce();
      return sendHtml(res, 401, nonce, renderLoginPage({ nonce, action: `${DASHBOARD_BASE}/login`, next, error: 'That API key is not valid.' }));
    }
    throttle.succeeded(client);
    const { token } = sessions.issue(keyId);
    logger?.info({ keyId }, 'dashboard login');
    res.setHeader('Set-Cookie', cookie(req, token, ttlSeconds));
    res.redirect(303, next);
  });

  router.post('/logout', sameOrigin, async (req: Request, res: Response) => {
    // Ended server side too: a copy of the cookie stops working on every API process.
    const token = readCookie(req.get('cookie'), DASHBOARD_SESSION_COOKIE);
    const check = token === undefined ? undefined : sessions.verify(token, keys.liveKeyIds);
    if (check?.ok) await deps.revocations?.revoke(check.sessionId, check.expiresAt);
    res.setHeader('Set-Cookie', cookie(req, '', 0));
    res.redirect(303, `${DASHBOARD_BASE}/login`);
  });

  router.get('/assets/dashboard-:hash.js', pageAuth, async (req: Request<{ hash: string }>, res: Response) => {
    const built = await client();
    if (req.params.hash !== built.hash) throw new AppError('NOT_FOUND', 'no such dashboard asset');
    setDashboardHeaders(res, 'immutable');
    res.setHeader('Vary', 'Accept-Encoding');
    res.type('application/javascript');
    // Compressed once at build time: the API has no compression middleware and the script is most of the page's weight.
    if (req.acceptsEncodings('gzip', 'identity') === 'gzip') {
      res.setHeader('Content-Encoding', 'gzip');
      return res.send(built.gzipped);
    }
    res.send(built.script);
  });

  router.get('/campaigns/:id/data', dataAuth, ready, async (req: Request<{ id: string }>, res: Response) => {
    res.json(await withRedisDeadline(loadData(req.params.id), redisTimeoutMs));
  });

  router.get('/campaigns/:id/ltv.csv', dataAuth, ready, async (req: Request<{ id: string }>, res: Response) => {
    const metrics = await withRedisDeadline(deps.campaignMetrics(req.params.id), redisTimeoutMs * 10);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${req.params.id.replace(/[^A-Za-z0-9_.-]/g, '_')}-ltv.csv"`);
    res.send(ltvCsv(metrics));
  });

  router.get('/campaigns/:id', pageAuth, ready, async (req: Request<{ id: string }>, res: Response) => {
    const id = req.params.id;
    const nonce = newNonce();
    let data;
    try {
      data = await withRedisDeadline(loadData(id), redisTimeoutMs);
    } catch (err) {
      if (!isAppError(err)) throw err;
      const message = err.code === 'NOT_FOUND' ? `No campaign ${id} on this farm.` : err.publicMessage;
      return sendHtml(res, err.httpStatus, nonce, errorPage(nonce, err.httpStatus, message));
    }
    const built = await client();
    const page = `${DASHBOARD_BASE}/campaigns/${encodeURIComponent(id)}`;
    sendHtml(
      res,
      200,
      nonce,
      renderDashboardPage({
        nonce,
        boot: { data, dataUrl: `${page}/data`, loginUrl: loginUrl(page), ltvCsvUrl: `${page}/ltv.csv` },
        scriptUrl: `${DASHBOARD_BASE}/assets/dashboard-${built.hash}.js`,
        logoutUrl: `${DASHBOARD_BASE}/logout`,
      }),
    );
  });

  return router;
}

/** A login's target: a dashboard path, never the login or logout routes themselves. */
function loginTarget(next: unknown): string {
  const target = safeRedirectTarget(next);
  return /^\/dashboard\/log(in|out)\/?$/.test(target) ? DASHBOARD_HOME : target;
}

/**
 * Refuses form posts from other sites. SameSite=Strict already keeps the
 * session cookie off them; this also stops login CSRF (a page logging the
 * victim in with the attacker's key). Browsers send `Sec-Fetch-Site` or
 * `Origin` with every POST; clients that send neither (curl) are let through.
 */
function sameOrigin(req: Request, _res: Response, next: NextFunction): void {
  const site = req.get('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    return next(new AppError('INVALID_ARGUMENT', 'cross-site form posts to the dashboard are refused'));
  }
  const origin = req.get('origin');
  if (origin !== undefined && origin !== 'null') {
    let host: string | undefined;
    try {
      host = new URL(origin).host;
    } catch {
      host = undefined;
    }
    if (host !== req.get('host')) return next(new AppError('INVALID_ARGUMENT', 'cross-origin form posts to the dashboard are refused'));
  } else if (origin === 'null') {
    return next(new AppError('INVALID_ARGUMENT', 'form posts from opaque origins are refused'));
  }
  next();
}

function resolveSecret(secret: string | undefined, logger: Logger | undefined): string {
  if (secret) return secret;
  logger?.warn('DASHBOARD_SESSION_SECRET is not set: dashboard sessions use a random per-process key (they end when the API restarts and do not work across API replicas)');
  return randomBytes(32).toString('base64');
}

function errorPage(nonce: string, status: number, message: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>${status} · mastercut dashboard</title><style nonce="${escapeHtml(nonce)}">${DASHBOARD_STYLES}</style></head><body><div class="login"><h1>${status}</h1><p>${escapeHtml(message)}</p><p><a href="${DASHBOARD_BASE}">Open another campaign</a></p></div></body></html>`;
}

function openCampaignPage(nonce: string, invalid: boolean): string {
  const error = invalid ? '<p class="error" role="alert">That is not a campaign id (up to 200 letters, digits and _ . : -).</p>' : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,"><title>mastercut dashboard</title><style nonce="${escapeHtml(nonce)}">${DASHBOARD_STYLES}</style></head><body><form class="login" method="get" action="${DASHBOARD_BASE}"><h1>Open a campaign</h1>${error}<label for="campaign">Campaign id</label><input id="campaign" name="campaign" required pattern="[A-Za-z0-9_.:\-]{1,200}" autofocus><button class="primary" type="submit">Open</button></form></body></html>`;
}
