import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { Redis } from 'ioredis';
import { AppError } from '../../errors/index.js';
import { createBrowserEvents, type BrowserEventsDeps, type BrowserEventsOptions, type EventIngest, type IngestResult, type LiveLinkSubject } from '../../engagement/index.js';
import { apiKeyAuth } from '../middleware/api-key-auth.js';
import { clientAddress, rateLimitEvents } from './event-rate-limit.js';

/** Who a Live URL token names: what the server fills in for a browser's event. */
export type LiveEventSubject = LiveLinkSubject;

export interface EventRoutesDeps {
  ingest: Pick<EventIngest, 'ingest'>;
  /** For the per-client rate limit and the browsers' conversion cap. */
  redis: Redis;
  apiKeys: readonly string[];
  /**
   * Opens a Live URL token (authenticity, expiry, erasure); throws
   * AppError TOKEN_INVALID (403) or TOKEN_EXPIRED (410). Without it, only
   * API-key clients may post events.
   */
  openToken?: BrowserEventsDeps['openToken'];
  /** Opens a click reference (the conversion pixel's tie to a CTA click); without it, browsers report conversions by token only. */
  openClick?: BrowserEventsDeps['openClick'];
}

export interface EventRoutesOptions extends BrowserEventsOptions {
  /** Largest request body. Default 64 KiB. */
  maxBodyBytes?: number;
  /** Most events in one request. Default 500. */
  maxEvents?: number;
  /** Events per client IP per minute on the browser (no API key) path. Default 600. */
  perClientPerMinute?: number;
}

/** The answer of `POST /v1/events`. */
export type EventBatchAnswer = Omit<IngestResult, 'events'>;

/**
 * `POST /v1/events`, two ways in:
 * - with the API key (an ESP reporting `delivered`, the brand's backend
 *   reporting a `conversion`, a server): full events; `bot` may be set by
 *   the caller, and each event may carry `client: {userAgent, ip}` of the
 *   person's device, classified like a browser's;
 * - without a key (a landing page's `navigator.sendBeacon`, body sent as
 *   `text/plain`, or the brand's confirmation page): each event names a
 *   Live URL `token` (or, for a conversion, the CTA's `click` reference)
 *   instead of campaign, recipient, channel and template, which the server
 *   fills in (createBrowserEvents). Rate limited per client IP; bots and
 *   scanners are flagged from the request.
 *
 * The body is a JSON batch `{events: [...]}`, an array, or one event, as
 * `application/json` or `text/plain`. Each bad event is refused alone
 * (`rejected: [{index, message}]`); the answer is 202 with the counts.
 */
export function createEventRoutes(deps: EventRoutesDeps, options: EventRoutesOptions = {}): Router {
  const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024;
  const maxEvents = options.maxEvents ?? 500;
  const perMinute = options.perClientPerMinute ?? 600;
  const auth = apiKeyAuth(deps.apiKeys);
  const raw = express.raw({ type: () => true, limit: maxBodyBytes });
  const browser = deps.openToken || deps.openClick ? createBrowserEvents({ ingest: deps.ingest, redis: deps.redis, openToken: deps.openToken, openClick: deps.openClick }, options) : undefined;
  const router = Router();

  const tooLarge = (req: Request, res: Response, next: NextFunction) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBodyBytes) {
      res.setHeader('Connection', 'close');
      return next(new AppError('PAYLOAD_TOO_LARGE', `event batch of ${declared} bytes`, { details: { maxBytes: maxBodyBytes } }));
    }
    next();
  };
  const authIfKeyed = (req: Request, res: Response, next: NextFunction) => (req.get('authorization') ? auth(req, res, next) : next());

  router.post('/', authIfKeyed, tooLarge, raw, async (req: Request, res: Response) => {
    const events = parseBatch(req.body, maxEvents);
    const keyed = Boolean(req.get('authorization'));
    let result: IngestResult;
    if (keyed) {
      result = await deps.ingest.ingest(events, { trusted: true, source: 'api' });
    } else {
      if (!browser) throw new AppError('UNAUTHORIZED', 'events without an API key need a Live URL token, which this server does not open');
      await rateLimitEvents(deps.redis, clientAddress(req), events.length, perMinute);
      result = await browser.ingest(events, { userAgent: req.get('user-agent'), method: req.method, ip: req.ip }, 'beacon');
    }
    const { events: _stored, ...answer } = result;
    res.setHeader('Cache-Control', 'no-store');
    res.status(202).json(answer satisfies EventBatchAnswer);
  });
  return router;
}

/** The body as a list of events: `{events: [...]}`, `[...]` or one event object. */
function parseBatch(body: unknown, maxEvents: number): unknown[] {
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : '';
  if (text.trim().length === 0) throw invalid('send a JSON body: {"events": [...]}, an array of events, or one event');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid('the body is not valid JSON; send {"events": [...]} as application/json or text/plain');
  }
  const events = Array.isArray(parsed) ? parsed : isObject(parsed) && Array.isArray(parsed.events) ? parsed.events : isObject(parsed) && 'type' in parsed ? [parsed] : undefined;
  if (!events) throw invalid('expected {"events": [...]}, an array of events, or one event object');
  if (events.length === 0) throw invalid('the batch holds no events');
  if (events.length > maxEvents) throw invalid(`at most ${maxEvents} events per request; split the batch`);
  return events;
}

function invalid(message: string): AppError {
  return new AppError('INVALID_ARGUMENT', `events: ${message}`, { details: { issues: [{ path: '(body)', message }] } });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
