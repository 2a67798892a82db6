import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { Router, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { AppError, CancelledError } from '../../errors/index.js';
import { liveAssetTarget, STORED_PROPS_ID_PATTERN, type LiveLink, type LiveLinkResolver, type OnDemand, type Requester, resolveCtaUrl, type LandingPage } from '../../live/index.js';
import type { RenderStreamHub } from '../../renders/index.js';
import type { ObjectStore } from '../../storage/index.js';
import type { ClickSubject, LiveLinkEvents } from '../../engagement/index.js';
import { TEMPLATE_ID_PATTERN, type TemplateRegistry } from '../../templates/index.js';
import { admitHot } from '../fast-path/hot-admission.js';
import { checkParam, logFailure, toAppError } from '../../http/index.js';
import { sendObject } from './output-routes.js';

export interface LiveRoutesDeps {
  resolver: LiveLinkResolver;
  /** Where a cold page's render start that failed is logged (the page was already sent). */
  logger: Logger;
  onDemand: OnDemand;
  hub: RenderStreamHub;
  landing: LandingPage;
  store: ObjectStore;
  /** Absolute origin for Open Graph and share URLs (PUBLIC_BASE_URL); default: the request's own. */
  publicBaseUrl?: string;
  /** Engagement: `impression` (poster / GIF fetched) and `cta_click` (the CTA redirect); none recorded without it. */
  events?: LiveLinkEvents;
  /** Where the landing page sends its beacons (e.g. `/v1/events`); none without it. */
  eventsUrl?: string;
  /** Optional (metrics, src/ops): asset cache hits and misses, and cold-render latency. FarmMetrics fits. */
  metrics?: LiveRouteMetrics;
  /**
   * Conversions: the CTA redirect of a campaign recipient's link adds a
   * click reference (`param=<ref>`) to the brand's URL, which the brand's
   * confirmation page hands back with the order (the conversion pixel).
   */
  clickRefs?: { param: string; issue(subject: ClickSubject): Promise<string> };
  /**
   * When a cold page's render starts, given the start once the page's bytes
   * are out. Default: COLD_RENDER_DELAY_MS later (see deferColdRender).
   * Tests pass their own to start it when they choose.
   */
  deferColdRender?: (start: () => void) => void;
}

/**
 * How long after a cold page's bytes are out its render starts. The page plays
 * in the browser at once and fetches `player.js` (and the template's fonts) from
 * this API meanwhile; the render's start (a limiter check and a queue add here,
 * a capture browser and an encoder on the worker) competed with those requests
 * and, where the farm shares cores with them, with the page itself: the page
 * played later (bench/live.ts, bench/live-trace.ts). Its status poll and its MP4
 * request still join the same render, and a direct `video.mp4` request starts one
 * at once; the page's MP4 is this much later out of a render of seconds.
 */
export const COLD_RENDER_DELAY_MS = 300;

/** The default `deferColdRender`: a timer that does not hold the process open (a stopping API drops the start; the next request makes it). */
function deferColdRender(start: () => void): void {
  setTimeout(start, COLD_RENDER_DELAY_MS).unref();
}

/** What the Live routes report; every call is fire-and-forget. */
export interface LiveRouteMetrics {
  cacheLookup(layer: 'live', result: 'hit' | 'miss'): void;
  /** A miss until the first byte (stream) or until the asset was stored (wait). */
  observeColdRender(seconds: number, labels: { assetKind: 'master' | 'deliverable'; delivery: 'stream' | 'wait' }): void;
}

/** Assets that count as an open when fetched (the email open pixel). */
const IMPRESSION_ASSETS = new Set(['poster.jpg', 'preview.gif']);

/** Tokens are `v1.<kid>.<base64url>`; anything else is refused before any work. */
const TOKEN_PATTERN = /^v1\.[A-Za-z0-9_-]{1,16}\.[A-Za-z0-9_-]{16,}$/;
const CTA_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * `/l/:token` and its assets. The token is opened (authenticity, expiry,
 * erasure) before any cache lookup, so a forged or expired link never costs
 * a Redis read of an output or starts a render.
 *
 * - The page never waits for a render: it plays the template in the browser
 *   (live player, same bundle, same props) and swaps to the MP4 when ready.
 * - Assets are served from storage when present (ETag, Range, 304, immutable).
 *   Otherwise one render is started (rate-limited) and the request waits for
 *   it; a cold `video.mp4` of a live render streams as it is encoded.
 */
export function createLiveRoutes(deps: LiveRoutesDeps): Router {
  const router = Router();
  const defer = deps.deferColdRender ?? deferColdRender;
  router.param('token', (_req, _res, next, value: unknown) => {
    if (typeof value !== 'string' || !TOKEN_PATTERN.test(value)) return next(new AppError('TOKEN_INVALID', 'malformed live token'));
    next();
  });
  checkParam(router, 'cta', CTA_PATTERN);
  checkParam(router, 'pin', STORED_PROPS_ID_PATTERN);

  const who = (req: Request, link: LiveLink): Requester => ({ client: req.ip ?? req.socket.remoteAddress ?? 'unknown', link: link.token });
  const origin = (req: Request) => deps.publicBaseUrl?.replace(/\/+$/, '') ?? `${req.protocol}://${req.get('host')}`;

  // A sticky link's page names its assets under the pin of the version it shows (`/l/<token>/p/<pin>/...`),
  // so its poster, GIF and MP4 show that version even when the profile changes meanwhile.
  const open = (req: Request<{ token: string; pin?: string }>) => deps.resolver.open(req.params.token, req.params.pin);

  router.get('/:token', async (req: Request<{ token: string }>, res: Response) => {
    const link = await deps.resolver.open(req.params.token);
    const master = liveAssetTarget(link, 'video.mp4');
    const ready = (await deps.onDemand.lookup(master)) !== undefined;
    // The page plays at once either way; the render starts once the page's bytes are out, so the
    // MP4 is there soon but the page is not held for it (its start is a limiter check and a queue
    // add, several Redis round trips and their callbacks on this thread, which delayed the pin
    // lookup and the send; bench/live.ts), and then COLD_RENDER_DELAY_MS later, so the page's
    // player.js is served first: the page's status poll and MP4 request join the same
    // render (single-flight). `close` comes after the response finished, or when the visitor left
    // first: the render starts either way, as a first open. Over budget, the page still plays in
    // the browser: only the MP4 waits; any other failure is logged (the page was already 200).
    if (!ready) {
      // Worked out now: a closed socket no longer knows its peer's address.
      const requester = who(req, link);
      res.once('close', () => {
        defer(() => {
          deps.onDemand
            .ensure(link, master, requester)
            .catch((err: unknown) => ignoreRateLimit(err))
            .catch((err: unknown) => logFailure(deps.logger, res, toAppError(err)));
        });
      });
    }
    const pin = await deps.resolver.pin(link);
    const abs = `${origin(req)}/l/${link.token}`;
    const base = pin === undefined ? `/l/${link.token}` : `/l/${link.token}/p/${pin}`;
    const size = link.template.variants[link.profile.variant]!;
    const nonce = randomBytes(16).toString('base64');
    const bundleBase = `/b/${link.template.id}/${link.master.data.templateVersion}/`;
    const html = deps.landing.render({
      title: link.template.title ?? link.template.id,
      ...(link.template.description ? { description: link.template.description } : {}),
      bundleBase,
      props: link.props,
      variant: link.profile.variant,
      width: size.width,
      height: size.height,
      fps: link.template.fps,
      durationInFrames: link.template.durationInFrames,
      posterUrl: `${base}/poster.jpg`,
      videoUrl: `${base}/video.mp4`,
      statusUrl: `${base}/status`,
      videoReady: ready,
      ctas: link.template.ctas.map((cta) => ({ id: cta.id, label: cta.label, href: `${base}/cta/${cta.id}` })),
      shareUrl: abs,
      ogImageUrl: `${abs}/poster.jpg`,
      ogUrl: abs,
      ...(deps.eventsUrl ? { eventsUrl: deps.eventsUrl, eventsToken: link.token, ...(pin === undefined ? {} : { eventsPin: pin }) } : {}),
      nonce,
    });
    if (link.sticky) res.setHeader('X-Mastercut-Profile-Version', String(link.sticky.version));
    res.setHeader('Content-Security-Policy', deps.landing.csp(nonce));
    // A cold page plays player.js: its download starts from the headers, before the HTML is parsed.
    if (!ready) res.setHeader('Link', deps.landing.preloadLink(bundleBase));
    // The page changes once (when the MP4 is ready) and carries a fresh nonce: never cached as immutable.
    res.setHeader('Cache-Control', 'private, no-cache');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.type('html').send(html);
  });

  router.get(['/:token/status', '/:token/p/:pin/status'], async (req: Request<{ token: string; pin?: string }>, res: Response) => {
    const link = await open(req);
    const ready = (await deps.onDemand.lookup(liveAssetTarget(link, 'video.mp4'))) !== undefined;
    res.setHeader('Cache-Control', 'no-store');
    res.json({ ready });
  });

  router.get(['/:token/cta/:cta', '/:token/p/:pin/cta/:cta'], async (req: Request<{ token: string; cta: string; pin?: string }>, res: Response) => {
    const link = await open(req);
    // Only the template's declared URLs, filled with this customer's props: never an open redirect.
    let url = resolveCtaUrl(link.template.ctas, req.params.cta, link.props);
    const subject = eventSubject(link);
    void deps.events?.ctaClick(subject, req.params.cta, { userAgent: req.get('user-agent'), method: req.method, ip: req.ip });
    if (deps.clickRefs && subject.campaignId !== undefined && subject.recipientId !== undefined && req.method === 'GET') {
      // Without a reference the visitor still gets where they were going: only the pixel's tie is lost.
      const { profileVersion: _shown, ...who } = subject;
      const ref = await deps.clickRefs.issue({ ...who, campaignId: subject.campaignId, recipientId: subject.recipientId }).catch(() => undefined);
      if (ref) url = withParam(url, deps.clickRefs.param, ref);
    }
    res.setHeader('Cache-Control', 'private, no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.redirect(302, url);
  });

  router.get(['/:token/:asset', '/:token/p/:pin/:asset'], async (req: Request<{ token: string; asset: string; pin?: string }>, res: Response) => {
    const link = await open(req);
    const target = liveAssetTarget(link, req.params.asset);
    // The landing page's own poster (same-origin fetch) is not an open; a mail client's or proxy's fetch is.
    if (deps.events && IMPRESSION_ASSETS.has(req.params.asset) && req.get('sec-fetch-site') !== 'same-origin') {
      void deps.events.impression(eventSubject(link), req.params.asset, { userAgent: req.get('user-agent'), method: req.method, ip: req.ip });
    }
    let info = await deps.onDemand.lookup(target);
    deps.metrics?.cacheLookup('live', info ? 'hit' : 'miss');
    if (!info) {
      const missedAt = performance.now();
      const cold = (delivery: 'stream' | 'wait') => deps.metrics?.observeColdRender((performance.now() - missedAt) / 1000, { assetKind: target.kind, delivery });
      await deps.onDemand.ensure(link, target, who(req, link));
      if (target.kind === 'master' && req.method === 'GET' && (await deps.onDemand.streaming(link))) {
        await streamMaster(deps.hub, link, req, res, () => cold('stream'));
        return;
      }
      const left = new AbortController();
      res.once('close', () => left.abort());
      info = await deps.onDemand.wait(target, left.signal);
      cold('wait');
    }
    // Token, erasure and index checked: this path may be answered from memory until the memo (or the link) expires.
    if (link.sticky) res.setHeader('X-Mastercut-Profile-Version', String(link.sticky.version));
    if (!deps.store.presignedUrl) admitHot(req, { storageKey: storageKeyOf(target, info), info, notAfterMs: link.payload.exp * 1000 });
    await sendObject(deps.store, storageKeyOf(target, info), info, req, res);
  });
  return router;
}

/** Who an event of this link is about (campaign and recipient may be absent: then nothing is recorded). */
function eventSubject(link: LiveLink) {
  return {
    templateId: link.template.id,
    channel: link.payload.channel,
    campaignId: link.payload.campaignId,
    recipientId: link.payload.recipientId,
    // The version a sticky open showed (pinned or current): what the consistency of what each channel showed is judged by.
    ...(link.sticky ? { profileVersion: link.sticky.version } : {}),
  };
}

/** The URL with one query parameter set (the fragment, if any, stays last). */
function withParam(url: string, name: string, value: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set(name, value);
  return parsed.toString();
}

/** The stored object's key: ObjectInfo.key when the store fills it, else the target's. */
function storageKeyOf(target: { storageKey: string }, info: { key?: string }): string {
  return info.key && info.key.length > 0 ? info.key : target.storageKey;
}

function ignoreRateLimit(err: unknown): void {
  if (err instanceof AppError && err.code === 'RATE_LIMITED') return;
  throw err;
}

/**
 * A cold master, streamed while it renders: fragmented MP4 over chunked
 * transfer. Every client of one render gets the same bytes, from the first
 * one, whenever it joined. Not cacheable: a failed render cuts the response.
 */
async function streamMaster(hub: RenderStreamHub, link: LiveLink, req: Request, res: Response, onFirstByte?: () => void): Promise<void> {
  const left = new AbortController();
  res.once('close', () => left.abort());
  let started = false;
  for await (const event of hub.subscribe(link.master.renderKey, left.signal)) {
    if (event.type === 'error') {
      if (!started) throw new AppError('NOT_READY', `live stream failed (${event.code})`);
      res.destroy();
      return;
    }
    if (!started) {
      started = true;
      res.status(200);
      res.setHeader('Content-Type', 'video/mp4');
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('X-Mastercut-Stream', 'live');
      res.flushHeaders();
      onFirstByte?.();
    }
    if (event.type === 'end') {
      res.end();
      return;
    }
    if (!res.write(event.chunk)) await once(res, 'drain', { signal: left.signal }).catch(() => undefined);
  }
  if (!res.writableEnded && !res.destroyed) {
    if (left.signal.aborted) throw new CancelledError('client left');
    res.end();
  }
}

/** `GET /b/:templateId/:version/*`: a template bundle for landing pages; immutable (the version is its content hash). */
export function createBundleRoutes(registry: TemplateRegistry): Router {
  const router = Router();
  router.get('/:templateId/:version/*file', async (req: Request<{ templateId: string; version: string; file: string[] }>, res: Response) => {
    const { templateId, version } = req.params;
    const file = req.params.file.join('/');
    if (!TEMPLATE_ID_PATTERN.test(templateId) || !/^[0-9a-f]{8,64}$/.test(version) || !/^[A-Za-z0-9_./-]{1,200}$/.test(file)) {
      throw new AppError('NOT_FOUND', 'no such bundle file');
    }
    const bundle = await registry.bundle(registry.get(templateId).id);
    if (bundle.version !== version) throw new AppError('NOT_FOUND', 'this bundle version is no longer served');
    res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    await new Promise<void>((resolve, reject) => {
      // `root` confines the file to the bundle and limits the dotfile check to
      // the part below it (the cache dir itself is `.cache`).
      res.sendFile(file, { root: bundle.dir, dotfiles: 'deny', cacheControl: false }, (err) => {
        if (!err) return resolve();
        const { status, code } = err as { status?: number; code?: string };
        // A directory (`static`), or a path through a file, is no file of the bundle either.
        const missing = status === 404 || status === 403 || code === 'EISDIR' || code === 'ENOTDIR' || code === 'ENAMETOOLONG';
        reject(missing ? new AppError('NOT_FOUND', 'no such bundle file') : err);
      });
    });
  });
  return router;
}
