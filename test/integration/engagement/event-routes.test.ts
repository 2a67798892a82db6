import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyAuth } from '../../../src/api/middleware/api-key-auth.js';
import { errorHandler } from '../../../src/http/index.js';
import { createCampaignMetricsRoutes } from '../../../src/api/routes/campaign-metrics-routes.js';
import { createEventRoutes, type LiveEventSubject } from '../../../src/api/routes/event-routes.js';
import { campaignMetricsSchema, createEngagementMetrics, createEventIngest, EVENTS_STREAM_KEY } from '../../../src/engagement/index.js';
import { createLiveKeyring } from '../../../src/live/live-keyring.js';
import { openLiveToken, sealLiveToken } from '../../../src/live/live-token.js';
import { startTestRedis, type EmbeddedRedis } from '../../helpers/redis-server.js';

// POST /v1/events and GET /v1/campaigns/:id/metrics on a real Redis: both ways
// in (API key, Live token), validation, dedupe, text/plain beacons, limits.

const KEY = 'events-key';
const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
let server: EmbeddedRedis;
let redis: Redis;
let http: Server;
let base: string;
let logged: string[] = [];
const keyring = createLiveKeyring([{ id: 'k1', key: randomBytes(32) }]);
const otherKeyring = createLiveKeyring([{ id: 'k1', key: randomBytes(32) }]);
const token = (input: { campaignId?: string; recipientId?: string; channel?: string }, ring = keyring) =>
  sealLiveToken(ring, { templateId: 'year-recap', channel: input.channel ?? 'web', props: { firstName: 'Ada' }, ...input }, { ttlSeconds: 3600 });

let n = 0;
const id = () => `test-${Date.now().toString(36)}-${(n++).toString(36).padStart(4, '0')}`;
const event = (over: Record<string, unknown> = {}) => ({
  id: id(),
  type: 'delivered',
  campaignId: 'cmp-routes',
  recipientId: 'r1',
  channel: 'email',
  templateId: 'year-recap',
  ts: Date.now() - 60_000,
  meta: { propsHash: 'abc' },
  ...over,
});
const post = (body: string, headers: Record<string, string> = {}) => fetch(`${base}/v1/events`, { method: 'POST', body, headers: { 'user-agent': CHROME, ...headers } });
const keyed = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };

beforeAll(async () => {
  server = await startTestRedis();
  redis = new Redis(server.url);
  const logger = pino({ level: 'info' }, { write: (line: string) => void logged.push(line) });
  const ingest = createEventIngest({ redis, logger });
  const openToken = async (t: string): Promise<LiveEventSubject> => {
    const p = openLiveToken(keyring, t);
    return { templateId: p.templateId, channel: p.channel, ...(p.campaignId ? { campaignId: p.campaignId } : {}), ...(p.recipientId ? { recipientId: p.recipientId } : {}) };
  };
  const app = express();
  app.set('trust proxy', 'loopback');
  app.use('/v1/events', createEventRoutes({ ingest, redis, apiKeys: [KEY], openToken }, { maxBodyBytes: 4096, maxEvents: 20, perClientPerMinute: 10 }));
  app.use('/v1/campaigns', apiKeyAuth([KEY]), createCampaignMetricsRoutes({ metrics: createEngagementMetrics(redis) }));
  app.use(errorHandler(logger));
  http = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => http.once('listening', resolve));
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});
afterAll(async () => {
  http.close();
  redis.disconnect();
  await server.destroy();
});

describe('POST /v1/events with the API key', () => {
  it('stores a batch, refuses bad events one by one, and dedupes by id', async () => {
    const good = [event(), event({ recipientId: 'r2' })];
    const res = await post(JSON.stringify({ events: [good[0], { ...event(), type: 'opened' }, good[1], { ...event(), id: 'no' }, 'x'] }), keyed);
    expect(res.status).toBe(202);
    const body = await res.json();
    expect(body).toEqual({
      accepted: 2,
      duplicates: 0,
      bots: 0,
      machineOpens: 0,
      rejected: [
        { index: 1, message: expect.stringContaining('type:') },
        { index: 3, message: expect.stringContaining('id: must be 8-64 characters') },
        { index: 4, message: expect.any(String) },
      ],
    });
    const again = await (await post(JSON.stringify(good), keyed)).json();
    expect(again).toMatchObject({ accepted: 0, duplicates: 2 });
    // One event alone, as text/plain, is accepted too.
    const single = await post(JSON.stringify(event({ recipientId: 'r3' })), { authorization: `Bearer ${KEY}`, 'content-type': 'text/plain' });
    expect(await single.json()).toMatchObject({ accepted: 1 });
    const metrics = await (await fetch(`${base}/v1/campaigns/cmp-routes/metrics`, { headers: { authorization: `Bearer ${KEY}` } })).json();
    expect(campaignMetricsSchema.parse(metrics).channels.email!.funnel.delivered).toBe(3);
  });

  it('a trusted caller may flag bots; a wrong key is 401; bad bodies are clear 400s; oversize is 413', async () => {
    const res = await (await post(JSON.stringify([event({ campaignId: 'cmp-bots', type: 'cta_click', bot: true })]), keyed)).json();
    expect(res).toMatchObject({ accepted: 1, bots: 1 });
    expect((await post(JSON.stringify([event()]), { ...keyed, authorization: 'Bearer nope' })).status).toBe(401);
    const broken = await post('{"events": [', keyed);
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ code: 'INVALID_ARGUMENT', issues: [{ path: '(body)', message: expect.stringContaining('not valid JSON') }] });
    expect((await post(JSON.stringify({ events: [] }), keyed)).status).toBe(400);
    expect((await post(JSON.stringify({ events: Array.from({ length: 21 }, () => event()) }).slice(0, 4000), keyed)).status).toBe(400);
    const big = await post(JSON.stringify({ events: Array.from({ length: 20 }, () => event({ meta: { note: 'x'.repeat(190) } })) }), keyed);
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });

  it('metrics need the API key and a valid campaign id', async () => {
    expect((await fetch(`${base}/v1/campaigns/cmp-routes/metrics`)).status).toBe(401);
    expect((await fetch(`${base}/v1/campaigns/bad%20id/metrics`, { headers: { authorization: `Bearer ${KEY}` } })).status).toBe(400);
  });
});

describe('POST /v1/events from a browser (Live URL token, no key)', () => {
  it('fills campaign, recipient, channel and template from the token; text/plain beacons work', async () => {
    const t = token({ campaignId: 'cmp-beacon', recipientId: 'ada', channel: 'web' });
    const beacon = { token: t, id: id(), type: 'page_view', ts: 1, meta: { source: 'player' } };
    const res = await post(JSON.stringify(beacon), { 'content-type': 'text/plain;charset=UTF-8', 'x-forwarded-for': '10.0.0.1' });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 1, duplicates: 0, bots: 0, machineOpens: 0, rejected: [] });
    expect(await (await post(JSON.stringify(beacon), { 'content-type': 'text/plain', 'x-forwarded-for': '10.0.0.1' })).json()).toMatchObject({ duplicates: 1 });
    const [[, fields]] = (await redis.xrevrange(EVENTS_STREAM_KEY, '+', '-', 'COUNT', 1)) as [string, string[]][];
    const stored = JSON.parse(fields![1]!);
    // The page's own claims about time or subject are not trusted.
    expect(stored).toMatchObject({ campaignId: 'cmp-beacon', recipientId: 'ada', channel: 'web', templateId: 'year-recap', type: 'page_view', bot: false });
    expect(stored.ts).toBeGreaterThan(Date.now() - 60_000);
    expect(stored.token).toBeUndefined();
  });

  it('a browser cannot report deliveries, clicks or other recipients; a token without a campaign records nothing', async () => {
    const t = token({ campaignId: 'cmp-beacon', recipientId: 'ada' });
    const res = await post(
      JSON.stringify({
        events: [
          { token: t, id: id(), type: 'delivered' },
          { token: t, id: id(), type: 'cta_click' },
          { token: t, id: id(), type: 'play', campaignId: 'other', recipientId: 'eve' },
          { id: id(), type: 'play', campaignId: 'cmp-beacon', recipientId: 'eve', channel: 'web', templateId: 'x', ts: 1 },
          { token: token({}), id: id(), type: 'play' },
        ],
      }),
      { 'content-type': 'text/plain', 'x-forwarded-for': '10.0.0.2' },
    );
    const body = await res.json();
    expect(body.accepted).toBe(1);
    expect(body.rejected.map((r: { index: number }) => r.index)).toEqual([0, 1, 3, 4]);
    expect(body.rejected[3].message).toContain('names no campaign');
    const m = await createEngagementMetrics(redis).campaignMetrics('cmp-beacon');
    expect(m.overall.funnel.played).toBe(1);
    expect(Object.keys(m.channels)).toEqual(['web']);
  });

  it('a forged or foreign token is 403 and nothing of the request is stored or logged', async () => {
    const before = await redis.xlen(EVENTS_STREAM_KEY);
    logged = [];
    const good = token({ campaignId: 'cmp-beacon', recipientId: 'ada' });
    const forged = token({ campaignId: 'cmp-beacon', recipientId: 'eve' }, otherKeyring);
    const res = await post(JSON.stringify([{ token: good, id: id(), type: 'play' }, { token: forged, id: id(), type: 'play' }]), { 'x-forwarded-for': '10.0.0.3' });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'TOKEN_INVALID' });
    expect(await redis.xlen(EVENTS_STREAM_KEY)).toBe(before);
    expect(logged.join('\n')).not.toContain(forged.slice(10, 40));
  });

  it('flags scanners and HEAD-less bots by user agent', async () => {
    const t = token({ campaignId: 'cmp-scan', recipientId: 'ada' });
    const res = await post(JSON.stringify({ token: t, id: id(), type: 'page_view' }), { 'user-agent': 'Mozilla/5.0 (compatible; Barracuda Sentinel)', 'x-forwarded-for': '10.0.0.4' });
    expect(await res.json()).toMatchObject({ accepted: 1, bots: 1 });
    const m = await createEngagementMetrics(redis).campaignMetrics('cmp-scan');
    expect(m.overall.funnel.viewed).toBe(0);
    expect(m.overall.botEvents).toBe(1);
  });

  it('rate-limits per client in events per minute: 429 with Retry-After', async () => {
    const t = token({ campaignId: 'cmp-rate', recipientId: 'ada' });
    const batch = (k: number) => JSON.stringify(Array.from({ length: k }, () => ({ token: t, id: id(), type: 'play' })));
    const headers = { 'content-type': 'text/plain', 'x-forwarded-for': '10.0.0.9' };
    // The window is the clock minute: start well inside one so all three requests share it.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 55_000) await new Promise((resolve) => setTimeout(resolve, 60_500 - intoMinute));
    expect((await post(batch(6), headers)).status).toBe(202);
    expect((await post(batch(4), headers)).status).toBe(202);
    const limited = await post(batch(1), headers);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    // Another client is not affected; the API-key path is not limited.
    expect((await post(batch(1), { ...headers, 'x-forwarded-for': '10.0.0.10' })).status).toBe(202);
  });
});
