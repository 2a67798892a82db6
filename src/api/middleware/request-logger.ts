import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { getRequestId } from '../../http/index.js';

/** Logged for a request no route matched (a 404, a path refused before routing). */
export const UNMATCHED_ROUTE = '(unmatched)';

/** Mount paths are fixed words; anything else in one is not logged. */
const MOUNT = /^[a-z0-9/_-]*$/;

/**
 * One structured log line per request, written when the response ends (or
 * the client goes away). It logs the route template the request matched
 * (`/l/:token/:asset`, `/v1/subjects/:recipientId`), never the path:
 * paths carry Live tokens and recipient ids in any spelling a client
 * chooses (`//l/<token>`, `/l/x/%2e%2e/<token>`, ...), so only what the
 * code itself wrote is logged, and a request no route matched is logged as
 * `(unmatched)`. Nor query strings, bodies (props) or headers (the API key).
 */
export function requestLogger(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    const route = captureRoute(req);
    let logged = false;
    const done = () => {
      if (logged) return;
      logged = true;
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      const status = res.statusCode;
      const line = {
        reqId: getRequestId(res),
        method: req.method,
        route: route() ?? UNMATCHED_ROUTE,
        status,
        durationMs: Math.round(durationMs * 10) / 10,
        bytes: Number(res.getHeader('content-length')) || undefined,
        aborted: !res.writableFinished || undefined,
      };
      if (status >= 500) logger.error(line, 'request failed');
      else logger.info(line, 'request');
    };
    res.once('finish', done);
    res.once('close', done);
    next();
  };
}

/**
 * Records the template of the route Express matches for this request: the
 * router sets `req.route` when a route matches (before its param checks run,
 * so a refused token still names its route), while `req.baseUrl` is the
 * mount path of that router. Only string templates and plain mount paths are
 * kept; the last route matched wins.
 */
/**
 * The pattern a route matched: its path, or for a route of several paths
 * (e.g. `/:token/status` and `/:token/p/:pin/status`) the one with as many
 * segments as the request's path, so the log still names a pattern, never
 * the path itself (which may hold a token).
 */
function routePattern(path: unknown, requestPath: string): string | undefined {
  if (typeof path === 'string') return path;
  if (!Array.isArray(path)) return undefined;
  const segments = (p: string) => p.split('/').length;
  const fits = path.filter((p): p is string => typeof p === 'string' && segments(p) === segments(requestPath));
  return fits.length === 1 ? fits[0] : undefined;
}

function captureRoute(req: Request): () => string | undefined {
  let current: unknown;
  let template: string | undefined;
  Object.defineProperty(req, 'route', {
    configurable: true,
    enumerable: true,
    get: () => current,
    set(value: { path?: unknown } | undefined) {
      current = value;
      const mount = req.baseUrl.toLowerCase();
      const path = routePattern(value?.path, req.path);
      template = path !== undefined && MOUNT.test(mount) ? `${mount}${path === '/' && mount ? '' : path}` : '(route)';
    },
  });
  return () => template;
}
