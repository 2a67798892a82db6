import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { getRequestId } from './request-id.js';

/**
 * One structured log line per request, written when the response ends (or
 * the client goes away). It deliberately logs only the path: query strings
 * may carry tokens or personal data, and bodies carry props, so neither is
 * ever logged; nor are headers (they carry the API key).
 */
export function requestLogger(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    let logged = false;
    const done = () => {
      if (logged) return;
      logged = true;
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      const status = res.statusCode;
      const line = {
        reqId: getRequestId(res),
        method: req.method,
        path: pathOnly(req.originalUrl),
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

function pathOnly(url: string): string {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  // Live tokens and recipient ids sit in these paths: they are personal data, never logged.
  // Case-insensitive, as Express routing is (`/L/<token>` reaches the same route).
  return path.replace(/^\/l\/[^/]+/i, '/l/:token').replace(/^\/v1\/subjects\/[^/]+/i, '/v1/subjects/:recipientId');
}
