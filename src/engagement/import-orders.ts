import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AppError, isAppError } from '../errors/index.js';
import type { EventIngest } from './create-event-ingest.js';
import type { LiveLinkSubject } from './create-live-link-events.js';
import { orderImportKeys } from './engagement-keys.js';
import type { UploadEntry } from '../uploads/index.js';

/** Batches of upload entries in file order (the uploads domain's CSV or JSON Lines reader). */
export type OrderRows = AsyncIterable<readonly UploadEntry[]>;

/** An invalid row: its line, a reason, and the failing fields (paths, never values). */
export interface InvalidOrderRow {
  line: number;
  endLine?: number;
  reason: string;
  issues?: { path: string; message: string }[];
}

/** Something the reader accepted but the uploader should hear about (NUL bytes, invalid UTF-8, duplicate columns); not a row. */
export interface OrderImportWarning {
  line: number;
  endLine?: number;
  warning: string;
}

/** One entry of an import's report, in file order. */
export type OrderImportReport = InvalidOrderRow | OrderImportWarning;

/** The accounting of one import: every row is valid or invalid (total = valid + invalid). */
export interface OrderImportResult {
  importId: string;
  total: number;
  valid: number;
  invalid: number;
  /** Valid rows stored as new conversions. */
  accepted: number;
  /** Valid rows whose order was already stored (earlier in the file, or reported before). */
  duplicates: number;
  /** Warnings (they are not rows: total = valid + invalid still). */
  warnings: number;
  /** The first invalid rows and warnings, in file order (all of them: GET /v1/conversions/imports/:id). */
  errors: OrderImportReport[];
}

export interface OrderImportDeps {
  redis: Redis;
  ingest: Pick<EventIngest, 'ingest'>;
  openToken?: (token: string) => Promise<LiveLinkSubject>;
  openClick?: (ref: string) => Promise<LiveLinkSubject>;
}

export interface OrderImportOptions {
  /** Rows per ingest call. Default 500. */
  batch?: number;
  /** How long the accounting and the invalid rows are kept. Default 7 days. */
  retentionSeconds?: number;
  /** Invalid rows and warnings in the answer. Default 100. */
  answerErrors?: number;
}

export const ORDER_IMPORT_ID_PATTERN = /^imp_[A-Za-z0-9_-]{16}$/;
const DECIMAL = /^\s*\d+(\.\d+)?\s*$/;
const EPOCH_MS = /^\s*\d{10,14}\s*$/;

type Hints = { campaignId: string; recipientId: string; channel?: string; templateId?: string };

const field = (row: Record<string, unknown>, ...names: string[]) => {
  for (const name of names) {
    const value = row[name];
    if (value !== undefined && value !== null && value !== '') return value;
  }
  return undefined;
};

/**
 * Imports orders (CSV or JSON Lines rows) as conversions: `order_id`,
 * `value`, `currency`, `ts` (ISO 8601 or epoch ms), and who converted:
 * `campaign_id` + `recipient_id`, a Live URL `token`, or a `click`
 * reference (camelCase names work too). Every record of the file is one
 * row, valid or invalid (the uploads domain's readers account for each);
 * each row is checked on its own, and an invalid one is recorded with its
 * line and never stops the others. Valid rows are ingested in batches (an
 * order already stored is a duplicate; one of an erased recipient is
 * invalid). The accounting, the invalid rows and the readers' warnings stay
 * in Redis for `GET /v1/conversions/imports/:id`: lines, reasons and field
 * paths, never a value.
 */
export async function importOrders(deps: OrderImportDeps, rows: OrderRows, options: OrderImportOptions = {}): Promise<OrderImportResult> {
  const batchSize = options.batch ?? 500;
  const ttl = options.retentionSeconds ?? 7 * 86_400;
  const importId = `imp_${randomBytes(12).toString('base64url')}`;
  const keys = orderImportKeys(importId);
  const counts = { total: 0, valid: 0, invalid: 0, accepted: 0, duplicates: 0, warnings: 0 };
  const firstErrors: OrderImportReport[] = [];
  const subjects = new Map<string, Promise<LiveLinkSubject | string>>();
  let pending: { line: number; event: Record<string, unknown> }[] = [];
  let reports: OrderImportReport[] = [];

  const report = (entry: OrderImportReport) => {
    reports.push(entry);
    if (firstErrors.length < (options.answerErrors ?? 100)) firstErrors.push(entry);
  };
  const reject = (row: InvalidOrderRow) => {
    counts.invalid++;
    report(row);
  };
  const open = (kind: 'token' | 'click', value: string): Promise<LiveLinkSubject | string> => {
    const opener = kind === 'token' ? deps.openToken : deps.openClick;
    if (!opener) return Promise.resolve(`${kind}: this server does not open ${kind === 'token' ? 'Live URL tokens' : 'click references'}`);
    let found = subjects.get(`${kind}:${value}`);
    if (!found) {
      found = opener(value).catch((err: unknown) => {
        if (isAppError(err) && err.httpStatus < 500) return `${kind}: ${err.publicMessage}`;
        throw err;
      });
      subjects.set(`${kind}:${value}`, found);
    }
    return found;
  };
  const flush = async () => {
    if (pending.length > 0) {
      const result = await deps.ingest.ingest(
        pending.map((p) => p.event),
        { trusted: true, source: 'import' },
      );
      for (const r of result.rejected) {
        const message = r.message;
        reject({ line: pending[r.index]!.line, reason: 'invalid order', issues: message.split('; ').map((m) => ({ path: m.slice(0, m.indexOf(':')), message: m.slice(m.indexOf(':') + 2) })) });
      }
      counts.valid += pending.length - result.rejected.length;
      counts.accepted += result.accepted;
      counts.duplicates += result.duplicates;
      pending = [];
    }
    if (reports.length > 0) {
      // Rows rejected at ingestion come after the batch's other reports: back to file order.
      reports.sort((a, b) => a.line - b.line);
      await deps.redis.multi().rpush(keys.errors, ...reports.map((r) => JSON.stringify(r))).expire(keys.errors, ttl).exec();
      reports = [];
    }
  };

  try {
    for await (const batch of rows) {
      for (const entry of batch) {
        const span = { line: entry.line, ...(entry.endLine ? { endLine: entry.endLine } : {}) };
        if (entry.kind === 'warning') {
          counts.warnings++;
          report({ ...span, warning: entry.warning });
          continue;
        }
        counts.total++;
        if (entry.kind === 'invalid') {
          reject({ ...span, reason: entry.reason });
          continue;
        }
        const parsed = await parseOrderRow(entry.row, open);
        if ('issues' in parsed) reject({ ...span, reason: 'invalid order', issues: parsed.issues });
        else pending.push({ line: entry.line, event: parsed.event });
        if (pending.length + reports.length >= batchSize) await flush();
      }
    }
  } catch (err) {
    // No record can be read from here on (a quote never closed, an unreadable header, the size cap): the orders before it are stored all the same.
    if (isAppError(err) && err.httpStatus < 500) await flush();
    throw err;
  }
  await flush();
  await deps.redis
    .multi()
    .hset(keys.meta, Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, String(v)])))
    .expire(keys.meta, ttl)
    .exec();
  return { importId, ...counts, errors: firstErrors.sort((a, b) => a.line - b.line) };
}

/** The accounting of a finished import and a page of its invalid rows and warnings; NOT_FOUND once it expired. */
export async function readOrderImport(redis: Redis, importId: string, page: { offset: number; limit: number }): Promise<OrderImportResult & { offset: number }> {
  if (!ORDER_IMPORT_ID_PATTERN.test(importId)) throw new AppError('INVALID_KEY', 'import id is malformed');
  const keys = orderImportKeys(importId);
  const meta = await redis.hgetall(keys.meta);
  if (!meta.total) throw new AppError('NOT_FOUND', `no order import ${importId} (imports are kept 7 days)`);
  const errors = (await redis.lrange(keys.errors, page.offset, page.offset + page.limit - 1)).map((r) => JSON.parse(r) as OrderImportReport);
  const n = (k: string) => Number(meta[k] ?? 0);
  return { importId, total: n('total'), valid: n('valid'), invalid: n('invalid'), accepted: n('accepted'), duplicates: n('duplicates'), warnings: n('warnings'), offset: page.offset, errors };
}

async function parseOrderRow(
  row: Record<string, unknown>,
  open: (kind: 'token' | 'click', value: string) => Promise<LiveLinkSubject | string>,
): Promise<{ event: Record<string, unknown> } | { issues: { path: string; message: string }[] }> {
  const issues: { path: string; message: string }[] = [];
  const orderId = field(row, 'order_id', 'orderId');
  if (orderId === undefined) issues.push({ path: 'order_id', message: 'required' });
  const rawValue = field(row, 'value');
  let value: number | undefined;
  if (typeof rawValue === 'number') value = rawValue;
  else if (typeof rawValue === 'string' && DECIMAL.test(rawValue)) value = Number(rawValue);
  else issues.push({ path: 'value', message: rawValue === undefined ? 'required' : 'expected a decimal number such as 49.90' });
  const rawCurrency = field(row, 'currency');
  const currency = typeof rawCurrency === 'string' ? rawCurrency.trim().toUpperCase() : undefined;
  if (currency === undefined) issues.push({ path: 'currency', message: 'required' });
  const rawTs = field(row, 'ts', 'timestamp');
  let ts: number | undefined;
  if (typeof rawTs === 'number') ts = rawTs;
  else if (typeof rawTs === 'string') ts = EPOCH_MS.test(rawTs) ? Number(rawTs) : /^\d{4}-\d{2}-\d{2}T/.test(rawTs.trim()) ? Date.parse(rawTs) : Number.NaN;
  if (ts === undefined || !Number.isInteger(ts)) issues.push({ path: 'ts', message: rawTs === undefined ? 'required' : 'expected an ISO 8601 date-time or epoch milliseconds' });

  let who: Hints | undefined;
  const campaignId = field(row, 'campaign_id', 'campaignId');
  const recipientId = field(row, 'recipient_id', 'recipientId');
  const token = field(row, 'token');
  const click = field(row, 'click');
  if (typeof campaignId === 'string' && typeof recipientId === 'string') who = { campaignId, recipientId };
  else if (typeof token === 'string' || typeof click === 'string') {
    const subject = typeof token === 'string' ? await open('token', token) : await open('click', String(click));
    if (typeof subject === 'string') issues.push({ path: typeof token === 'string' ? 'token' : 'click', message: subject.slice(subject.indexOf(':') + 2) });
    else if (subject.campaignId === undefined || subject.recipientId === undefined) issues.push({ path: 'token', message: 'this Live URL names no campaign and recipient' });
    else who = { campaignId: subject.campaignId, recipientId: subject.recipientId, channel: subject.channel, templateId: subject.templateId };
  } else issues.push({ path: 'campaign_id', message: 'name the campaign_id and recipient_id, a token or a click reference' });

  if (issues.length > 0 || !who) return { issues };
  return { event: { type: 'conversion', ...who, orderId: String(orderId), value, currency, ts, meta: {} } };
}
