import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { Redis } from 'ioredis';
import { AppError } from '../../errors/index.js';
import { eventRateKey, type EventIngest, type IngestResult } from '../../engagement/index.js';
import { apiKeyAuth } from '../middleware/api-key-auth.js';

/** Who a Live URL token names: what the server fills in for a browser's event. */
export interface LiveEventSubject {
  templateId: string;
  channel: string;
  campaignId?: string;
  recipientId?: string;
}

export interface EventRoutesDeps {
  ingest: Pick<EventIngest, 'ingest'>;
  /** For the per-client rate limit. */
  redis: Pick<Redis, 'multi'>;
  apiKeys: readonly string[];
  /**
   * Opens a Live URL token (authenticity, expiry, erasure); throws
   * AppError TOKEN_INVALID (403) or TOKEN_EXPIRED (410). Without it, only
   * API-key clients may post events.
   */
  openToken?: (token: string) => Promise<LiveEventSubject>;
}

export interface EventRoutesOptions {
  /** Largest request body. Default 64 KiB. */
  maxBodyBytes?: number;
  /** Most events in one request. Default 500. */
  maxEvents?: number;
  /** Events per client IP per minute on the browser (no API key) path. Default 600. */
  perClientPerMinute?: number;
}

/** What a browser may report about its own page: delivery, opens and clicks are recorded by the server. */
export const BROWSER_EVENT_TYPES: ReadonlySet<string> = new Set(['page_view', 'play', 'progress_25', 'progress_50', 'progress_75', 'complete', 'share']);

/** The answer of `POST /v1/events`. */
export type EventBatchAnswer = Omit<IngestResult, 'events'>;

/**
 * `POST /v1/events`, two ways in:
 * - with the API key (an ESP reporting `delivered`, a server): full events,
 *   `bot` may be set by the caller;
 * - without a key (a landing page's `navigator.sendBeacon`, body sent as
 *   `text/plain`): each event names a Live URL `token` instead of campaign,
 *   recipient, channel and template, which the server fills from the opened
 *   token, so a browser can only report about the link it holds. Rate
 *   limited per client IP; bots and scanners are flagged from the request.
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
      result = await deps.ingest.ingest(events, { trusted: true });
    } else {
      if (!deps.openToken) throw new AppError('UNAUTHORIZED', 'events without an API key need a Live URL token, which this server does not open');
      await rateLimit(deps.redis, clientOf(req), events.length, perMinute);
      result = await ingestFromBrowser(deps.openToken, deps.ingest, events, { userAgent: req.get('user-agent'), method: req.method });
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

/**
 * Browser events: every token is opened once per request (a bad one
 * refuses the whole request, 403, before anything is stored); the event's
 * subject comes from the token and its time from the server clock, so a
 * page can neither speak for another recipient nor backdate.
 */
async function ingestFromBrowser(
  openToken: NonNullable<EventRoutesDeps['openToken']>,
  ingest: EventRoutesDeps['ingest'],
  events: unknown[],
  client: { userAgent: string | undefined; method: string },
): Promise<IngestResult> {
  const tokens = new Map<string, Promise<LiveEventSubject>>();
  for (const event of events) {
    const token = isObject(event) ? event.token : undefined;
    if (typeof token === 'string' && !tokens.has(token)) tokens.set(token, openToken(token));
  }
  const subjects = new Map<string, LiveEventSubject>();
  // A refusal wins over the rest: no part of a request with a forged token is stored.
  await Promise.all([...tokens].map(async ([token, opening]) => subjects.set(token, await opening)));
  const now = Date.now();
  const rejected: IngestResult['rejected'] = [];
  const candidates: unknown[] = [];
  const indexOf: number[] = [];
  events.forEach((event, index) => {
    if (!isObject(event)) return void rejected.push({ index, message: 'an event must be a JSON object' });
    if (typeof event.token !== 'string') return void rejected.push({ index, message: 'token: a browser event names its Live URL token (or send the API key)' });
    if (typeof event.type !== 'string' || !BROWSER_EVENT_TYPES.has(event.type)) {
      return void rejected.push({ index, message: `type: a page may report ${[...BROWSER_EVENT_TYPES].join(', ')}` });
    }
    const subject = subjects.get(event.token)!;
    if (subject.campaignId === undefined || subject.recipientId === undefined) {
      return void rejected.push({ index, message: 'token: this Live URL names no campaign and recipient; nothing is recorded' });
    }
    indexOf.push(index);
    candidates.push({
      id: event.id,
      type: event.type,
      campaignId: subject.campaignId,
      recipientId: subject.recipientId,
      channel: subject.channel,
      templateId: subject.templateId,
      ts: now,
      meta: isObject(event.meta) ? event.meta : {},
    });
  });
  const result = await ingest.ingest(candidates, { client });
  rejected.push(...result.rejected.map((r) => ({ index: indexOf[r.index]!, message: r.message })));
  rejected.sort((a, b) => a.index - b.index);
  return { ...result, rejected };
}

/** Fixed one-minute window per client, counted in events (a beacon is one, a batch its length). */
async function rateLimit(redis: EventRoutesDeps['redis'], client: string, events: number, perMinute: number): Promise<void> {
  const now = Date.now();
  const window = Math.floor(now / 60_000);
  const key = eventRateKey(client, window);
  const reply = await redis.multi().incrby(key, events).expire(key, 120).exec();
  const count = Number(reply?.[0]?.[1] ?? 0);
  if (count > perMinute) {
    throw new AppError('RATE_LIMITED', 'too many events from this client', {
      details: { retryAfterSeconds: Math.max(1, Math.ceil(((window + 1) * 60_000 - now) / 1000)) },
    });
  }
}

function clientOf(req: Request): string {
  return (req.ip ?? req.socket.remoteAddress ?? 'unknown').replace(/[^A-Za-z0-9.:_-]/g, '_');
}

function invalid(message: string): AppError {
  return new AppError('INVALID_ARGUMENT', `events: ${message}`, { details: { issues: [{ path: '(body)', message }] } });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
