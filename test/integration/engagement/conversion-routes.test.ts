import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorHandler } from '../../../src/http/index.js';
import { createConversionRoutes } from '../../../src/api/routes/conversion-routes.js';
import { createEventRoutes } from '../../../src/api/routes/event-routes.js';
import { readCsvRows, readJsonlRows } from '../../../src/uploads/index.js';
import { createBrowserEvents, createClickRefs, createEngagementMetrics, createEventIngest, EVENTS_STREAM_KEY, importOrders, readOrderImport, type LiveLinkSubject } from '../../../src/engagement/index.js';
import { createLiveKeyring } from '../../../src/live/live-keyring.js';
import { openLiveToken, sealLiveToken } from '../../../src/live/live-token.js';
import { startTestRedis, type EmbeddedRedis } from '../../helpers/redis-server.js';

// The three ways a conversion arrives (API key, pixel or beacon, order
// import) against a real Redis: forged and replayed pixels, the browser
// cap, and an import of 100,000 orders with every row accounted for.

const KEY = 'conversions-key';
const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const keyring = createLiveKeyring([{ id: 'k1', key: randomBytes(32) }]);
const otherKeyring = createLiveKeyring([{ id: 'k1', key: randomBytes(32) }]);
const token = (campaignId: string, recipientId: string, ring = keyring) =>
  sealLiveToken(ring, { templateId: 'year-recap', channel: 'email', props: { firstName: 'Ada' }, campaignId, recipientId }, { ttlSeconds: 3600 });

let server: EmbeddedRedis;
let redis: Redis;
let http: Server;
let base = '';
let clicks: ReturnType<typeof createClickRefs>;

const openToken = async (t: string): Promise<LiveLinkSubject> => {
  const p = openLiveToken(keyring, t);
  return { templateId: p.templateId, channel: p.channel, campaignId: p.campaignId, recipientId: p.recipientId };
};

beforeAll(async () => {
  server = await startTestRedis();
  redis = new Redis(server.url);
  const ingest = createEventIngest({ redis });
  clicks = createClickRefs(redis, { ttlSeconds: 3600 });
  const openers = { openToken, openClick: clicks.open };
  const app = express();
  app.set('trust proxy', 'loopback');
  app.use('/v1/events', createEventRoutes({ ingest, redis, apiKeys: [KEY], ...openers }, { maxConversionsPerRecipient: 3 }));
  app.use(
    '/v1/conversions',
    createConversionRoutes({
      browser: createBrowserEvents({ ingest, redis, ...openers }, { maxConversionsPerRecipient: 3 }),
      importOrders: (rows) => importOrders({ redis, ingest, ...openers }, rows),
      readImport: (id, page) => readOrderImport(redis, id, page),
      rows: (input, format) => (format === 'csv' ? readCsvRows(input, { maxRecordBytes: 65536 }) : readJsonlRows(input, { maxRecordBytes: 65536 })),
      redis,
      apiKeys: [KEY],
    }),
  );
  app.use(errorHandler(pino({ level: 'silent' })));
  http = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => http.once('listening', resolve));
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});
afterAll(async () => {
  http.close();
  redis.disconnect();
  await server.destroy();
});

const pixel = (query: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(`${base}/v1/conversions/pixel.gif?${new URLSearchParams(query)}`, { headers: { 'user-agent': CHROME, ...headers } });
const metrics = (campaignId: string) => createEngagementMetrics(redis).campaignMetrics(campaignId);

describe('the conversion pixel', () => {
  it('credits the recipient of the click reference; a replayed order is a duplicate; forged references are 403', async () => {
    const ref = await clicks.issue({ campaignId: 'cmp-px', recipientId: 'ada', channel: 'email', templateId: 'year-recap' });
    const first = await pixel({ click: ref, order: 'A-1001', value: '49.90', currency: 'EUR' }, { 'x-forwarded-for': '10.1.0.1' });
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('image/gif');
    expect(first.headers.get('x-mastercut-conversion')).toBe('accepted');
    expect(Buffer.from(await first.arrayBuffer()).subarray(0, 6).toString()).toBe('GIF89a');
    // Replayed (reload of the confirmation page, or a copied URL with another value): counted once, the first value kept.
    const replay = await pixel({ click: ref, order: 'A-1001', value: '4990.00', currency: 'EUR' }, { 'x-forwarded-for': '10.1.0.1' });
    expect(replay.headers.get('x-mastercut-conversion')).toBe('duplicate');
    const before = await redis.xlen(EVENTS_STREAM_KEY);
    for (const forged of ['A'.repeat(22), 'not a ref', randomBytes(16).toString('base64url')]) {
      const res = await pixel({ click: forged, order: 'A-1002', value: '10', currency: 'EUR' }, { 'x-forwarded-for': '10.1.0.1' });
      expect(res.status, forged).toBe(403);
      expect(await res.json()).toMatchObject({ code: 'TOKEN_INVALID' });
    }
    // A Live token sealed with another key is refused too.
    expect((await pixel({ token: token('cmp-px', 'eve', otherKeyring), order: 'A-1003', value: '10', currency: 'EUR' })).status).toBe(403);
    expect(await redis.xlen(EVENTS_STREAM_KEY)).toBe(before);
    const m = await metrics('cmp-px');
    expect(m.conversions).toMatchObject({ total: 1, revenue: { EUR: { total: 49.9 } } });
    const [[, fields]] = (await redis.xrevrange(EVENTS_STREAM_KEY, '+', '-', 'COUNT', 1)) as [string, string[]][];
    expect(JSON.parse(fields![1]!)).toMatchObject({ type: 'conversion', campaignId: 'cmp-px', recipientId: 'ada', channel: 'email', orderId: 'A-1001', value: 49.9, currency: 'EUR', meta: { source: 'pixel' }, bot: false });
  });

  it('refuses bad parameters clearly, flags scanners, and caps what browsers may report per recipient', async () => {
    const ref = await clicks.issue({ campaignId: 'cmp-px2', recipientId: 'bob', channel: 'web', templateId: 'year-recap' });
    const bad = await pixel({ click: ref, order: 'B-1', value: '-3', currency: 'EUR' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'INVALID_ARGUMENT', issues: [{ path: 'value' }] });
    expect((await pixel({ click: ref, order: 'B-1', value: '3', currency: 'XYZ' })).status).toBe(400);
    expect((await pixel({ order: 'B-1', value: '3', currency: 'EUR' })).status).toBe(400);
    const scanner = await pixel({ click: ref, order: 'B-2', value: '3', currency: 'EUR' }, { 'user-agent': 'Mozilla/5.0 (compatible; Barracuda Sentinel)' });
    expect(scanner.headers.get('x-mastercut-conversion')).toBe('bot');
    for (const order of ['B-3', 'B-4', 'B-5']) expect((await pixel({ click: ref, order, value: '3', currency: 'USD' })).status).toBe(200);
    const capped = await pixel({ click: ref, order: 'B-6', value: '3', currency: 'USD' });
    expect(capped.status).toBe(400);
    expect(await capped.json()).toMatchObject({ issues: [{ path: 'conversion', message: expect.stringMatching(/at most 3 conversions/) }] });
    const m = await metrics('cmp-px2');
    expect(m.conversions.total).toBe(3);
    expect(m.overall.botEvents).toBe(1);
  });

  it('a beacon reports a conversion by Live token; the API-key path names campaign and recipient and is not capped', async () => {
    const t = token('cmp-px3', 'cy');
    const beacon = await fetch(`${base}/v1/events`, { method: 'POST', headers: { 'content-type': 'text/plain', 'user-agent': CHROME }, body: JSON.stringify({ type: 'conversion', token: t, orderId: 'C-1', value: 12, currency: 'JPY' }) });
    expect(await beacon.json()).toMatchObject({ accepted: 1 });
    const keyed = await fetch(`${base}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events: [1, 2, 3, 4, 5].map((k) => ({ type: 'conversion', campaignId: 'cmp-px3', recipientId: 'cy', orderId: `C-${k}`, value: 100, currency: 'JPY', ts: Date.now() - 1000 })) }),
    });
    // C-1 was already reported by the beacon: a duplicate, whichever path reported it first.
    expect(await keyed.json()).toMatchObject({ accepted: 4, duplicates: 1, rejected: [] });
    expect((await metrics('cmp-px3')).conversions.revenue).toEqual({ JPY: { total: 412, attributed: 0 } });
  });
});

describe('order import', () => {
  it('imports 100,000 orders from CSV: every row valid or invalid with its line, duplicates counted once', async () => {
    const t = token('cmp-import', 'tok-recipient');
    const lines = ['order_id,value,currency,ts,campaign_id,recipient_id,token'];
    const bad = new Map<number, string>();
    const now = Date.now() - 86_400_000;
    const distinct = new Set<string>();
    let tokenRows = 0;
    for (let i = 0; i < 100_000; i++) {
      const line = i + 2;
      const order = `ord-${i}`;
      if (i % 997 === 0) {
        bad.set(line, 'currency');
        lines.push(`${order},10.00,EURO,${now},cmp-import,r${i % 5000},`);
      } else if (i % 1009 === 0) {
        bad.set(line, 'value');
        lines.push(`${order},ten,EUR,${now},cmp-import,r${i % 5000},`);
      } else if (i % 1013 === 0) {
        bad.set(line, 'malformed');
        lines.push(`${order},10.00,EUR`);
      } else if (i % 1019 === 0) {
        bad.set(line, 'token');
        lines.push(`${order},10.00,EUR,${now},,,v1.k1.${'A'.repeat(40)}`);
      } else if (i % 1021 === 0) {
        bad.set(line, 'ts');
        lines.push(`${order},10.00,EUR,${now + 365 * 86_400_000},cmp-import,r${i % 5000},`);
      } else if (i % 50 === 0) {
        tokenRows++;
        distinct.add(order);
        lines.push(`${order},5.50,USD,${new Date(now).toISOString()},,,${t}`);
      } else if (i % 100 === 1) {
        // The order two rows up again (a re-exported row): valid, a duplicate (unless that row was invalid).
        distinct.add(`ord-${i - 2}`);
        lines.push(`ord-${i - 2},10.00,EUR,${now},cmp-import,r${(i - 2) % 5000},`);
      } else {
        distinct.add(order);
        lines.push(`${order},10.00,EUR,${now},cmp-import,r${i % 5000},`);
      }
    }
    const body = `${lines.join('\n')}\n`;
    const res = await fetch(`${base}/v1/conversions/import`, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'text/csv' }, body });
    expect(res.status).toBe(200);
    const result = (await res.json()) as { importId: string; total: number; valid: number; invalid: number; accepted: number; duplicates: number; errors: { line: number; reason: string; issues?: { path: string }[] }[] };
    expect(result.total).toBe(100_000);
    expect(result.valid + result.invalid).toBe(result.total);
    expect(result.invalid).toBe(bad.size);
    expect(result.accepted).toBe(distinct.size);
    expect(result.duplicates).toBe(result.valid - distinct.size);
    expect(result.duplicates).toBeGreaterThan(900);
    expect(result.errors).toHaveLength(100);

    // Every invalid row, with its line and the failing field, from the import's record.
    const all: { line: number; reason: string; issues?: { path: string }[] }[] = [];
    for (let offset = 0; ; offset += 1000) {
      const page = (await (await fetch(`${base}/v1/conversions/imports/${result.importId}?offset=${offset}&limit=1000`, { headers: { authorization: `Bearer ${KEY}` } })).json()) as { errors: typeof all; total: number };
      expect(page.total).toBe(100_000);
      all.push(...page.errors);
      if (page.errors.length < 1000) break;
    }
    expect(all.map((e) => e.line).sort((a, b) => a - b)).toEqual([...bad.keys()].sort((a, b) => a - b));
    for (const e of all) {
      const kind = bad.get(e.line)!;
      if (kind === 'malformed') expect(e.reason).toMatch(/wrong number of columns/);
      else expect(e.issues?.map((i) => i.path), `line ${e.line}`).toContain(kind);
    }
    const m = await metrics('cmp-import');
    expect(m.conversions.total).toBe(distinct.size);
    expect(m.conversions.revenue.USD!.total).toBeCloseTo(tokenRows * 5.5, 6);
    expect((await fetch(`${base}/v1/conversions/imports/imp_AAAAAAAAAAAAAAAA`, { headers: { authorization: `Bearer ${KEY}` } })).status).toBe(404);
    expect((await fetch(`${base}/v1/conversions/import`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body })).status).toBe(401);
  }, 120_000);
  it('reads through the uploads record splitter: mixed line endings, an oversized record, a NUL byte, gzip; every record counted once', async () => {
    const now = Date.now() - 60_000;
    const row = (order: string) => `${order},10.00,EUR,${now},cmp-splitter,r-${order}`;
    // CRLF header then LF rows (never merged), a bare CR, a record over 64 KiB (invalid; reading resumes after it), a NUL byte (a warning).
    const csv = `order_id,value,currency,ts,campaign_id,recipient_id\r\n${row('s-1')}\n${row('s-2')}\r${row('s-3')},${'x'.repeat(70_000)}\n${row('s-4')}\n${row('s-5')}\u0000\n${row('s-6')}`;
    const send = (body: Buffer, encoding?: string) =>
      fetch(`${base}/v1/conversions/import`, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'text/csv', ...(encoding ? { 'content-encoding': encoding } : {}) }, body: new Uint8Array(body) });
    const res = await send(gzipSync(Buffer.from(csv)), 'gzip');
    expect(res.status).toBe(200);
    const result = (await res.json()) as { total: number; valid: number; invalid: number; warnings: number; errors: { line: number; reason?: string; warning?: string }[] };
    expect(result).toMatchObject({ total: 6, valid: 5, invalid: 1, warnings: 1 });
    expect(result.errors).toEqual([
      { line: 4, reason: expect.stringMatching(/too large/) },
      { line: 6, warning: expect.stringMatching(/NUL/) },
    ]);
    expect(JSON.stringify(result)).not.toContain('r-s-');
    // Corrupt compressed data is a clear 400, an unknown encoding 415; nothing is imported.
    const corrupt = await send(Buffer.from('notgzip'), 'gzip');
    expect(corrupt.status).toBe(400);
    expect(await corrupt.json()).toMatchObject({ code: 'INVALID_ARGUMENT', issues: [{ path: '(body)' }] });
    expect((await send(Buffer.from(csv), 'compress')).status).toBe(415);
    expect((await metrics('cmp-splitter')).conversions.total).toBe(5);
    // A quote never closed: no record can be delimited from its line on. 400 naming it; the orders before it are stored.
    const open = await send(Buffer.from(`order_id,value,currency,ts,campaign_id,recipient_id\n${row('q-1')}\n${row('q-2')}\n"q-3,10.00,EUR\n${row('q-4')}\n`));
    expect(open.status).toBe(400);
    expect(await open.json()).toMatchObject({ code: 'INVALID_ARGUMENT', issues: [{ path: 'line 4', message: expect.stringMatching(/never closed/) }] });
    expect((await metrics('cmp-splitter')).conversions.total).toBe(7);
  });
});
