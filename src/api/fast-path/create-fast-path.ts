import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { ObjectStore } from '../../storage/index.js';
import { SAFE_REQUEST_ID } from '../../http/index.js';
import type { TemplateRegistry } from '../../templates/index.js';
import { createBundleFileCache } from './bundle-file-cache.js';
import { attachHotAdmission } from './hot-admission.js';
import { createHotOutputCache, type HotOutputCacheOptions } from './hot-output-cache.js';
import { serveBundleFile } from './serve-bundle-file.js';
import { serveHotObject } from './serve-hot-object.js';

export interface FastPathDeps {
  /** Where admitted objects are read from (once, into memory). */
  store: Pick<ObjectStore, 'get'>;
  /** The API's logger: a hot answer is logged like any other request. */
  logger: Logger;
  /** Optional (metrics): told, for each request of a path it handles, whether it was answered from memory. */
  onLookup?: (hit: boolean) => void;
  /**
   * Whether memory may answer now: false while this process cannot hear
   * erasures (ErasureBroadcast.live()); every request then goes to Express.
   * Default: always.
   */
  usable?: () => boolean;
  /**
   * Template bundles: with it, landing-page bundle files (`/b/<id>/<version>/player.js`, ...)
   * are answered from memory too, brotli or gzip (see bundle-file-cache.ts). Without it they go to Express.
   */
  registry?: Pick<TemplateRegistry, 'bundle'>;
}

export type FastPathOptions = HotOutputCacheOptions;

/** A Live asset in its canonical form (the token pattern of live-routes.ts, the asset names of LIVE_ASSETS). */
const LIVE_ASSET_PATH = /^\/l\/v1\.[A-Za-z0-9_-]{1,16}\.[A-Za-z0-9_-]{16,}\/(video\.mp4|poster\.jpg|preview\.gif|still\.png)$/;
/** `/v1/outputs/:key` with a render or deliverable key (64 lowercase hex). */
const OUTPUT_PATH = /^\/v1\/outputs\/[0-9a-f]{64}$/;

/**
 * A plain `http` request listener in front of Express for the routes
 * that serve cached files: `GET|HEAD /l/:token/<asset>` and
 * `GET|HEAD /v1/outputs/:key`, and (with a registry) the landing page's
 * bundle files `GET|HEAD /b/:templateId/:version/<file>.js|css`, which are
 * public, immutable and need no route check (bundle-file-cache.ts).
 *
 * Express, its router, the token check, two Redis reads and a file open per
 * hit held a cached 200 KB MP4 to about 10% of nginx's rate (bench/live.ts). Here a path
 * the full route served within the last memo period (1 s by default) is
 * answered from memory: no Redis, no file system, one writeHead and one end.
 * Everything else, including every first request, every path after its memo
 * ran out, any other spelling of a path, and anything not GET or HEAD, goes
 * to Express unchanged, and the route decides (see `admitHot`).
 *
 * Why that is safe:
 * - only a route admits a path, after its own checks, and only the exact
 *   path the fast path matched: a tampered token is another path, never hot;
 * - the memo is short: a path is never answered from memory more than one
 *   memo period after the route last checked it, so an erasure, an eviction
 *   or an index removal is seen within it (a link's own expiry ends its memo
 *   exactly). A busy path is renewed by sending one request through the
 *   route half way through its memo, so it stays hot without a herd of
 *   requests reaching the route at each expiry;
 * - hot answers keep the API's behaviour: X-Request-Id, the request log
 *   line (the route template, never the token), ETag/304, Range/206/416, HEAD. One
 *   difference: within its memo a hot path is still served while Redis is
 *   down, where the route would answer 503.
 */
export function createFastPath(deps: FastPathDeps, options: FastPathOptions = {}) {
  const cache = createHotOutputCache(deps, options);
  const bundles = deps.registry ? createBundleFileCache({ registry: deps.registry }) : undefined;

  const handled = (path: string): boolean =>
    path.startsWith('/l/') ? LIVE_ASSET_PATH.test(path) : path.startsWith('/v1/outputs/') && OUTPUT_PATH.test(path);

  /** Answers from memory with `send` (which returns the Content-Length sent), logging the request as Express would. */
  const answer = (route: string, req: IncomingMessage, res: ServerResponse, next: RequestListener, send: (reqId: string) => number): void => {
    const started = performance.now();
    const incoming = req.headers['x-request-id'];
    const reqId = typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    let bytes = 0;
    res.once('close', () => {
      const line = {
        reqId,
        method: req.method,
        // The route template, as the request logger writes it: never the token or the key.
        route,
        status: res.statusCode,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
        bytes: bytes || undefined,
        aborted: !res.writableFinished || undefined,
      };
      deps.logger.info(line, 'request');
    });
    try {
      bytes = send(reqId);
    } catch (err) {
      if (res.headersSent) res.destroy(err as Error);
      else next(req, res);
    }
  };

  const serve = (path: string, req: IncomingMessage, res: ServerResponse, next: RequestListener): boolean => {
    const object = cache.find(path);
    if (!object) return false;
    // The route template, as the request logger writes it: never the token or the key.
    const route = path.startsWith('/l/') ? '/l/:token/:asset' : '/v1/outputs/:key';
    answer(route, req, res, next, (reqId) => serveHotObject(object, req, res, reqId));
    return true;
  };

  return {
    cache,
    /** Landing-page bundle files held in memory; undefined without a registry. */
    bundles,
    /** Stops the cache's prune timer and forgets what it holds (the server is closing). */
    close: () => cache.close(),
    /** The server's request listener: hot answers here, everything else to `app`. */
    wrap(app: RequestListener): RequestListener {
      return (req, res) => {
        if (req.method !== 'GET' && req.method !== 'HEAD') return app(req, res);
        const url = req.url ?? '';
        const query = url.indexOf('?');
        const path = query === -1 ? url : url.slice(0, query);
        // Bundle files first: no personal data, so not tied to hearing erasures (`usable`), nor to a route's admission.
        if (bundles && path.startsWith('/b/') && bundles.handles(path)) {
          const file = bundles.find(path);
          if (!file) return app(req, res);
          return answer('/b/:templateId/:version/*file', req, res, app, (reqId) => serveBundleFile(file, req, res, reqId));
        }
        if (!handled(path)) return app(req, res);
        if (deps.usable && !deps.usable()) {
          cache.clear();
          return app(req, res);
        }
        const hit = serve(path, req, res, app);
        deps.onLookup?.(hit);
        if (hit) return;
        const since = cache.generation();
        attachHotAdmission(req, (grant) => cache.admit(path, grant, since));
        app(req, res);
      };
    },
  };
}

export type FastPath = ReturnType<typeof createFastPath>;
