import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngagementMetrics, createEventIngest, type CampaignMetrics } from '../../../src/engagement/index.js';
import { startTestRedis, type EmbeddedRedis } from '../../helpers/redis-server.js';

// One test per metric definition of issue 20: arrival order never changes a
// verdict, an open alone is not engagement, privacy-proxy opens are apart,
// time to first response runs from the sender's delivery, HSCAN duplicates
// are counted once, far-future events are refused.

let server: EmbeddedRedis;
let redis: Redis;
beforeAll(async () => {
  server = await startTestRedis();
  redis = new Redis(server.url);
});
afterAll(async () => {
  redis.disconnect();
  await server.destroy();
});

const T = 1_760_000_000_000;
const MIN = 60_000;
let n = 0;
const ev = (campaignId: string, type: string, ts: number, over: Record<string, unknown> = {}) => ({
  id: `def-${(n++).toString().padStart(6, '0')}`,
  type,
  campaignId,
  recipientId: 'r1',
  channel: 'email',
  templateId: 'year-recap',
  ts,
  meta: {},
  ...over,
});
const metricsOf = (campaignId: string, redisClient: Redis = redis) => createEngagementMetrics(redisClient).campaignMetrics(campaignId);
const strip = ({ generatedAt: _g, campaignId: _c, ...rest }: CampaignMetrics) => rest;

/** Ingests the events one per call in the given order, each with its context. */
async function ingestInOrder(events: { event: unknown; farm?: boolean }[]): Promise<void> {
  const ingest = createEventIngest({ redis });
  for (const { event, farm } of events) await ingest.ingest([event], { trusted: true, ...(farm ? { source: 'farm' as const } : {}) });
}

describe('bot classification does not depend on arrival order', () => {
  it('a click 500 ms after its delivery is a scanner whether the delivery arrives first or last', async () => {
    const make = (cid: string) => ({
      delivered: ev(cid, 'delivered', T),
      click: ev(cid, 'cta_click', T + 500, { meta: { ctaId: 'book' } }),
      view: ev(cid, 'page_view', T + 10 * MIN),
    });
    const a = make('cmp-order-a');
    await ingestInOrder([{ event: a.delivered }, { event: a.click }, { event: a.view }]);
    const b = make('cmp-order-b');
    // The ESP's webhook comes last: the click arrives first, with no delivery known yet.
    await ingestInOrder([{ event: b.click }, { event: b.view }, { event: b.delivered }]);
    const [ma, mb] = [await metricsOf('cmp-order-a'), await metricsOf('cmp-order-b')];
    expect(strip(mb)).toEqual(strip(ma));
    expect(ma.overall.funnel.clicked).toBe(0);
    expect(ma.overall.botEvents).toBe(1);
    expect(ma.overall.events.cta_click).toBe(0);
    // The scanner click is no first response: the page view ten minutes later is.
    expect(ma.timeToFirstResponse).toMatchObject({ samples: 1, p50Ms: 10 * MIN });
    expect(ma.crossChannel.engagedRecipients).toBe(1);
  });

  it('a late delivery takes back what a scanner click counted: engaged, multi-channel, first response', async () => {
    const cid = 'cmp-order-c';
    // Clicked in email (a scanner, but its delivery is not known yet) and viewed on the web an hour later.
    await ingestInOrder([
      { event: ev(cid, 'cta_click', T + 800, { meta: { ctaId: 'book' } }) },
      { event: ev(cid, 'delivered', T + 1000, { channel: 'web' }) },
      { event: ev(cid, 'page_view', T + 60 * MIN, { channel: 'web' }) },
    ]);
    const before = await metricsOf(cid);
    expect(before.crossChannel).toMatchObject({ engagedRecipients: 1, multiChannelRecipients: 1 });
    expect(before.timeToFirstResponse.p50Ms).toBe(0);
    await ingestInOrder([{ event: ev(cid, 'delivered', T) }]);
    const after = await metricsOf(cid);
    expect(after.crossChannel).toMatchObject({ engagedRecipients: 1, multiChannelRecipients: 0 });
    expect(after.channels.email!.funnel.clicked).toBe(0);
    expect(after.channels.email!.botEvents).toBe(1);
    expect(after.timeToFirstResponse).toMatchObject({ samples: 1, p50Ms: 60 * MIN });
    expect(after.ltv.recipients).toEqual({ multiChannel: 0, singleChannel: 1, neverEngaged: 0 });
  });

  it('clicks on two CTAs within a second are both a scanner, in every arrival order', async () => {
    const clicks = (cid: string) => [
      ev(cid, 'cta_click', T + 10 * MIN, { meta: { ctaId: 'book' } }),
      ev(cid, 'cta_click', T + 10 * MIN + 300, { meta: { ctaId: 'offers' } }),
      ev(cid, 'cta_click', T + 30 * MIN, { meta: { ctaId: 'offers' } }),
      ev(cid, 'delivered', T),
    ];
    const orders = [
      [0, 1, 2, 3],
      [1, 0, 3, 2],
      [3, 2, 1, 0],
      [2, 3, 0, 1],
    ];
    const results = [];
    for (const [k, order] of orders.entries()) {
      const cid = `cmp-cta-${k}`;
      const list = clicks(cid);
      await ingestInOrder(order.map((i) => ({ event: list[i] })));
      results.push(strip(await metricsOf(cid)));
    }
    for (const r of results) expect(r).toEqual(results[0]);
    expect(results[0]!.overall.events.cta_click).toBe(1);
    expect(results[0]!.overall.botEvents).toBe(2);
    expect(results[0]!.timeToFirstResponse.p50Ms).toBe(30 * MIN);
  });
});

describe('opens', () => {
  it('an impression-only recipient is opened but not engaged, and has no first response', async () => {
    const cid = 'cmp-open-only';
    await ingestInOrder([{ event: ev(cid, 'delivered', T) }, { event: ev(cid, 'impression', T + 5 * MIN) }]);
    const m = await metricsOf(cid);
    expect(m.overall.funnel).toMatchObject({ delivered: 1, opened: 1, machineOpened: 0 });
    expect(m.crossChannel).toEqual({ engagedRecipients: 0, multiChannelRecipients: 0, rate: null });
    expect(m.timeToFirstResponse.samples).toBe(0);
    expect(m.ltv.recipients).toEqual({ multiChannel: 0, singleChannel: 0, neverEngaged: 1 });
  });

  it('a privacy-proxy open is counted apart: not opened, not engaged, not a response', async () => {
    const cid = 'cmp-mpp';
    const ingest = createEventIngest({ redis });
    await ingest.ingest([ev(cid, 'delivered', T)], { trusted: true });
    // Apple Mail Privacy Protection fetches the open pixel with a bare "Mozilla/5.0" minutes after delivery.
    const r = await ingest.ingest([ev(cid, 'impression', T + 3 * MIN)], { client: { userAgent: 'Mozilla/5.0', method: 'GET' } });
    expect(r).toMatchObject({ accepted: 1, bots: 0, machineOpens: 1 });
    expect(r.events[0]).toMatchObject({ machineOpen: true, bot: false });
    // The API-key path classifies a client the caller passes the same way.
    const passed = await ingest.ingest([ev(cid, 'impression', T + 4 * MIN, { recipientId: 'r2', client: { userAgent: 'Mozilla/5.0', ip: '203.0.113.9' } })], { trusted: true });
    expect(passed.machineOpens).toBe(1);
    const m = await metricsOf(cid);
    expect(m.overall.funnel).toMatchObject({ opened: 0, machineOpened: 2 });
    expect(m.overall.machineOpens).toBe(2);
    expect(m.overall.events.impression).toBe(0);
    expect(m.crossChannel.engagedRecipients).toBe(0);
    expect(m.timeToFirstResponse.samples).toBe(0);
  });
});

describe('time to first response', () => {
  it('runs from the sender’s delivery when the ESP reports one, else from the farm’s, in any arrival order', async () => {
    const make = (cid: string) => [
      // Lazy mode: the farm "delivers" when it issues the link; the ESP sends two hours later.
      { event: ev(cid, 'delivered', T), farm: true },
      { event: ev(cid, 'delivered', T + 120 * MIN) },
      { event: ev(cid, 'page_view', T + 125 * MIN) },
      // r2: no sender report, so the farm's delivery is the touch.
      { event: ev(cid, 'delivered', T, { recipientId: 'r2', channel: 'web' }), farm: true },
      { event: ev(cid, 'play', T + 30 * MIN, { recipientId: 'r2', channel: 'web' }) },
    ];
    await ingestInOrder(make('cmp-esp-a'));
    await ingestInOrder(make('cmp-esp-b').reverse());
    const [a, b] = [await metricsOf('cmp-esp-a'), await metricsOf('cmp-esp-b')];
    expect(strip(b)).toEqual(strip(a));
    expect(a.timeToFirstResponse).toMatchObject({ samples: 2, p50Ms: 5 * MIN, p90Ms: 30 * MIN });
    // The two deliveries of r1 in email are one delivered recipient.
    expect(a.channels.email!.funnel.delivered).toBe(1);
  });

  it('counts each recipient once when HSCAN returns a field twice (a rehash)', async () => {
    const cid = 'cmp-rehash';
    const events = [];
    for (let i = 0; i < 300; i++) {
      const rid = `r${i}`;
      events.push(ev(cid, 'delivered', T, { recipientId: rid }), ev(cid, 'page_view', T + (i + 1) * 1000, { recipientId: rid }));
      if (i % 10 === 0) events.push({ type: 'conversion', campaignId: cid, recipientId: rid, ts: T + 2 * MIN, value: 10, currency: 'EUR', orderId: `o${i}` });
    }
    await createEventIngest({ redis }).ingest(events, { trusted: true });
    const plain = await metricsOf(cid);
    // The same server, seen through a client whose HSCAN pages repeat fields, as Redis may while it rehashes.
    const repeating = new Proxy(redis, {
      get(target, prop, receiver) {
        if (prop !== 'hscan') return Reflect.get(target, prop, receiver);
        return async (...args: Parameters<Redis['hscan']>) => {
          const [cursor, flat] = await target.hscan(...args);
          return [cursor, [...flat, ...flat.slice(0, 20)]];
        };
      },
    });
    const seen = await metricsOf(cid, repeating);
    expect(seen.timeToFirstResponse.samples).toBe(300);
    expect(strip(seen)).toEqual(strip(plain));
    expect(seen.conversions.total).toBe(30);
  });
});

describe('the clock', () => {
  it('refuses an event stamped further ahead than the allowed skew; a little ahead is fine', async () => {
    const ingest = createEventIngest({ redis }, { maxClockSkewMs: 60_000 });
    const now = Date.now();
    const r = await ingest.ingest([ev('cmp-skew', 'play', now + 30_000), ev('cmp-skew', 'play', now + 3_600_000), ev('cmp-skew', 'play', 9_999_999_999_999)], { trusted: true });
    expect(r.accepted).toBe(1);
    expect(r.rejected.map((x) => x.index)).toEqual([1, 2]);
    expect(r.rejected[0]!.message).toMatch(/^ts: /);
  });
});
