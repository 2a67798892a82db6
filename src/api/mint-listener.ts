import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import type { Logger } from 'pino';
import type { Minter } from '../live/index.js';
import { createMintKeyCheck, type MintKeyAuthOptions } from './middleware/mint-key-auth.js';
import { errorAnswer, logFailure, SAFE_REQUEST_ID, toAppError, type RedisHealth } from '../http/index.js';

/** The one path it answers (exactly this spelling; anything else goes to Express). */
export const MINT_PATH = '/v1/live-links/mint';

export interface MintListenerDeps {
  minter: Minter;
  logger: Logger;
  /** The minting connection: a failure while it is down is a 503. */
  redis: RedisHealth;
}

/**
 * `GET /v1/live-links/mint?template=&channel=&campaign=&recipient=&<props>`:
 * one Live link for one recipient at send time (an ESP's Connected Content
 * or HTTPGet), behind a mint key. It answers the same JSON as one entry of
 * `POST /v1/live-links` (`url`, `assets.{video,poster,preview,still}`,
 * `expiresAt`); the same query gives the same answer, and nothing renders.
 *
 * A plain `http` listener in front of Express, like the fast path
 * (src/api/fast-path): an ESP sends thousands of concurrent calls per send,
 * and Express's router and middleware chain held even `/healthz` to about a
 * tenth of a bare Node server's rate on the 2-core machine (bench/mint.ts).
 * It keeps the API's behaviour: X-Request-Id, one request log line with the
 * route (never the query: it carries personal data), and the error
 * middleware's `{ code, message, issues }` answers (errorAnswer).
 */
export function createMintListener(deps: MintListenerDeps, auth: MintKeyAuthOptions) {
  const check = createMintKeyCheck(auth);

  const answer = (res: ServerResponse, reqId: string, status: number, headers: Record<string, string>, body: string): void => {
    res.writeHead(status, {
      ...headers,
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
      // The link is a bearer capability for one recipient: no shared cache may keep it.
      'Cache-Control': 'private, no-store',
      'X-Request-Id': reqId,
    });
    res.end(body);
  };

  const fail = (res: ServerResponse, reqId: string, err: unknown, challenge?: string): void => {
    const appError = toAppError(err, deps.redis);
    if (appError.httpStatus >= 500) logFailure(deps.logger, reqId, appError);
    const refusal = errorAnswer(appError);
    answer(res, reqId, refusal.status, { ...refusal.headers, ...(challenge ? { 'WWW-Authenticate': challenge } : {}) }, JSON.stringify(refusal.body));
  };

  const handle = (req: IncomingMessage, res: ServerResponse, query: string): void => {
    const started = performance.now();
    const incoming = req.headers['x-request-id'];
    const reqId = typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.once('close', () => {
      const line = {
        reqId,
        method: req.method,
        route: MINT_PATH,
        status: res.statusCode,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
        aborted: !res.writableFinished || undefined,
      };
      deps.logger.info(line, 'request');
    });
    const refused = check(req.headers.authorization);
    if (refused) return fail(res, reqId, refused.error, refused.challenge);
    deps.minter.mint(query, () => parseQuery(query)).then(
      (minted) => answer(res, reqId, 200, {}, minted.json),
      (err: unknown) => fail(res, reqId, err),
    );
  };

  return {
    /** The server's request listener: GET of the mint path here, everything else to `next` (Express). */
    wrap(next: RequestListener): RequestListener {
      return (req, res) => {
        const url = req.url ?? '';
        const q = url.indexOf('?');
        const path = q === -1 ? url : url.slice(0, q);
        if (path !== MINT_PATH || req.method !== 'GET') return next(req, res);
        handle(req, res, q === -1 ? '' : url.slice(q + 1));
      };
    },
  };
}

export type MintListener = ReturnType<typeof createMintListener>;
