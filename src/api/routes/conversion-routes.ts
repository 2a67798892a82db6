import type { Readable } from 'node:stream';
import { Router, type NextFunction, type Request, type Response } from 'express';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { ORDER_IMPORT_ID_PATTERN, type BrowserEvents, type OrderImportResult, type OrderRows } from '../../engagement/index.js';
import { AppError, isAppError } from '../../errors/index.js';
import { apiKeyAuth } from '../middleware/api-key-auth.js';
import { requireRedis, withRedisDeadline, checkParam, type RedisHealth } from '../../http/index.js';
import { clientAddress, rateLimitEvents } from './event-rate-limit.js';
import { uploadBody } from './upload-body.js';

/** Order file formats the import reads. */
export type OrderFormat = 'csv' | 'jsonl';

export interface ConversionRoutesDeps {
  /** Browser conversions (the pixel): createBrowserEvents. */
  browser: Pick<BrowserEvents, 'ingest'>;
  /** Imports a stream of rows (importOrders bound to ingestion). */
  importOrders: (rows: OrderRows) => Promise<OrderImportResult>;
  /** A finished import's accounting and a page of its invalid rows (readOrderImport). */
  readImport: (importId: string, page: { offset: number; limit: number }) => Promise<OrderImportResult & { offset: number }>;
  /** Splits an upload into rows (the campaigns' CSV / JSON Lines readers fit). */
  rows: (input: Readable, format: OrderFormat) => OrderRows;
  redis: Redis & RedisHealth;
  apiKeys: readonly string[];
}

export interface ConversionRoutesOptions {
  /** Pixel hits per client IP per minute. Default 600. */
  perClientPerMinute?: number;
  /** Largest order upload. Default 256 MiB. */
  maxUploadBytes?: number;
  redisTimeoutMs?: number;
}

/** A transparent 1x1 GIF: what an `<img>` pixel gets back. */
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const RAW_TYPES: Record<string, OrderFormat> = { 'text/csv': 'csv', 'application/x-ndjson': 'jsonl', 'application/jsonl': 'jsonl', 'application/x-jsonlines': 'jsonl' };
const pageSchema = z.object({ offset: z.coerce.number().int().min(0).default(0), limit: z.coerce.number().int().min(1).max(10_000).default(1000) });
const pixelSchema = z.object({
  click: z.string().max(100).optional(),
  token: z.string().max(8192).optional(),
  order: z.string().min(1).max(100),
  value: z.string().regex(/^\d+(\.\d+)?$/, { message: 'a decimal number such as 49.90' }),
  currency: z.string().min(3).max(3),
});

/**
 * `/v1/conversions`:
 * - `GET /pixel.gif?click=<ref>&order=<id>&value=49.90&currency=EUR` (or
 *   `token=<Live URL token>` instead of `click`), public: the brand's
 *   confirmation page reports an order of the visitor who came through a
 *   Live URL's CTA. The reference is checked (403 when unknown or forged),
 *   the order id dedupes (a replayed pixel counts once), the client is
 *   classified and rate limited. Answers a 1x1 GIF, with
 *   `X-Mastercut-Conversion: accepted|duplicate|bot`.
 * - `POST /import` (API key): orders as `text/csv` or
 *   `application/x-ndjson`, streamed, optionally `Content-Encoding: gzip`,
 *   `deflate` or `br`; answers the row accounting (every row
 *   valid or invalid, with its line) and the first invalid rows.
 * - `GET /imports/:id?offset&limit` (API key): the accounting and the invalid rows.
 */
export function createConversionRoutes(deps: ConversionRoutesDeps, options: ConversionRoutesOptions = {}): Router {
  const router = Router();
  const auth = apiKeyAuth(deps.apiKeys);
  const ready = requireRedis(deps.redis);
  const maxUpload = options.maxUploadBytes ?? 256 * 1024 * 1024;
  checkParam(router, 'id', ORDER_IMPORT_ID_PATTERN);

  router.get('/pixel.gif', ready, async (req: Request, res: Response) => {
    const parsed = pixelSchema.safeParse(req.query);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(query)', message: i.message }));
      throw new AppError('INVALID_ARGUMENT', 'the pixel takes click (or token), order, value and currency', { details: { issues } });
    }
    const q = parsed.data;
    if (!q.click && !q.token) throw new AppError('INVALID_ARGUMENT', 'click: the pixel names the click reference (or the Live URL token)', { details: { issues: [{ path: 'click', message: 'required' }] } });
    await rateLimitEvents(deps.redis, clientAddress(req), 1, options.perClientPerMinute ?? 600);
    const event = { type: 'conversion', ...(q.token ? { token: q.token } : { click: q.click }), orderId: q.order, value: Number(q.value), currency: q.currency };
    const result = await deps.browser.ingest([event], { userAgent: req.get('user-agent'), method: req.method, ip: req.ip }, 'pixel');
    if (result.rejected.length > 0) {
      const message = result.rejected[0]!.message;
      const colon = message.indexOf(': ');
      throw new AppError('INVALID_ARGUMENT', message, { details: { issues: [{ path: message.slice(0, colon), message: message.slice(colon + 2) }] } });
    }
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Mastercut-Conversion', result.duplicates > 0 ? 'duplicate' : result.bots > 0 ? 'bot' : 'accepted');
    res.type('image/gif').send(PIXEL);
  });

  router.post('/import', auth, ready, async (req: Request, res: Response) => {
    const mediaType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const format = RAW_TYPES[mediaType] ?? (req.query.format === 'csv' || req.query.format === 'jsonl' ? req.query.format : undefined);
    if (!format) throw invalid('(body)', 'send the orders as text/csv or application/x-ndjson');
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxUpload) {
      res.setHeader('Connection', 'close');
      throw new AppError('PAYLOAD_TOO_LARGE', `orders upload of ${declared} bytes`, { details: { maxBytes: maxUpload } });
    }
    const body = uploadBody(req, maxUpload, 'an orders upload');
    try {
      res.status(200).json(await deps.importOrders(deps.rows(body, format)));
    } catch (err) {
      if (isAppError(err, 'PAYLOAD_TOO_LARGE')) res.setHeader('Connection', 'close');
      throw err;
    }
  });

  router.get('/imports/:id', auth, ready, async (req: Request<{ id: string }>, res: Response, next: NextFunction) => {
    const page = pageSchema.safeParse(req.query);
    if (!page.success) return next(invalid(String(page.error.issues[0]?.path[0] ?? 'query'), 'expected a whole number in range'));
    res.setHeader('Cache-Control', 'no-store');
    res.json(await withRedisDeadline(deps.readImport(req.params.id, page.data), options.redisTimeoutMs ?? 2_000));
  });
  return router;
}

function invalid(path: string, message: string): AppError {
  return new AppError('INVALID_ARGUMENT', `${path}: ${message}`, { details: { issues: [{ path, message }] } });
}
