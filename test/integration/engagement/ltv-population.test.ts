import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngagementMetrics, createEventIngest } from '../../../src/engagement/index.js';
import { startTestRedis, type EmbeddedRedis } from '../../helpers/redis-server.js';
import { liftOf, tQuantile975 } from './expected-metrics.js';
import { seededRandom } from './synthetic-event-log.js';

// LTV by cohort through the real ingestion and metrics, on seeded
// populations whose cohorts have known true means: every figure equals the
// computation straight from the generated orders, and the observed lift
// sits within its interval's reach of the true one.

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
const HOUR = 3_600_000;
const MODEL = {
  multiChannel: { n: 300, channels: ['email', 'web'], p: 0.3, value: 80 },
  singleChannel: { n: 300, channels: ['email'], p: 0.25, value: 60 },
  neverEngaged: { n: 150, channels: [] as string[], p: 0.1, value: 40 },
} as const;

function population(seed: number) {
  const random = seededRandom(seed);
  const campaignId = `cmp-ltv-pop-${seed}`;
  const events: Record<string, unknown>[] = [];
  const orders = new Map<keyof typeof MODEL, number[]>();
  let id = 0;
  for (const [cohort, m] of Object.entries(MODEL) as [keyof typeof MODEL, (typeof MODEL)[keyof typeof MODEL]][]) {
    const values: number[] = [];
    for (let i = 0; i < m.n; i++) {
      const recipientId = `${cohort}-${i}`;
      const base = { campaignId, recipientId, templateId: 'year-recap' };
      events.push({ ...base, id: `pop${seed}-${String(id++).padStart(6, '0')}`, type: 'delivered', channel: 'email', ts: T });
      // An open alone never makes a recipient engaged: the never-engaged cohort opens too.
      events.push({ ...base, id: `pop${seed}-${String(id++).padStart(6, '0')}`, type: 'impression', channel: 'email', ts: T + HOUR });
      for (const channel of m.channels) events.push({ ...base, id: `pop${seed}-${String(id++).padStart(6, '0')}`, type: 'page_view', channel, ts: T + 2 * HOUR });
      if (random() < m.p) {
        const value = Math.round(-Math.log(1 - random()) * m.value * 100) / 100;
        values.push(value);
        events.push({ ...base, type: 'conversion', ts: T + 24 * HOUR, value, currency: 'EUR', orderId: `o-${recipientId}` });
      }
    }
    orders.set(cohort, values);
  }
  return { campaignId, events, orders };
}

describe('LTV by cohort on seeded populations with known means', () => {
  for (const seed of [11, 12, 13]) {
    it(`seed ${seed}: cohorts, means, intervals and lift equal the direct computation`, async () => {
      const { campaignId, events, orders } = population(seed);
      // Shuffled: conversions and engagements arrive in any order.
      const random = seededRandom(seed + 1000);
      for (let i = events.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [events[i], events[j]] = [events[j]!, events[i]!];
      }
      const ingest = createEventIngest({ redis });
      for (let i = 0; i < events.length; i += 400) expect((await ingest.ingest(events.slice(i, i + 400), { trusted: true })).rejected).toEqual([]);
      const m = await createEngagementMetrics(redis, { minRecipients: 100, minConverters: 10 }).campaignMetrics(campaignId);
      expect(m.ltv.recipients).toEqual({ multiChannel: 300, singleChannel: 300, neverEngaged: 150 });
      const eur = m.ltv.currencies.EUR!;
      const direct: Record<string, number[]> = {};
      for (const [cohort, model] of Object.entries(MODEL) as [keyof typeof MODEL, (typeof MODEL)[keyof typeof MODEL]][]) {
        const values = orders.get(cohort)!;
        const all = [...values, ...new Array<number>(model.n - values.length).fill(0)];
        direct[cohort] = all;
        const mean = all.reduce((a, b) => a + b, 0) / model.n;
        const sd = Math.sqrt(all.reduce((a, b) => a + (b - mean) ** 2, 0) / (model.n - 1));
        const half = (tQuantile975(model.n - 1) * sd) / Math.sqrt(model.n);
        const c = eur.cohorts[cohort];
        expect(c.recipients).toBe(model.n);
        expect(c.converters).toBe(values.length);
        expect(c.revenue).toBeCloseTo(values.reduce((a, b) => a + b, 0), 6);
        expect(c.meanPerRecipient).toBeCloseTo(mean, 9);
        expect(c.ci95!.low).toBeCloseTo(mean - half, 7);
        expect(c.ci95!.high).toBeCloseTo(mean + half, 7);
        // The true mean (p × value) is within a few standard errors of what was observed.
        expect(Math.abs(mean - model.p * model.value)).toBeLessThan(4 * (half / 1.96));
      }
      const expectedLift = liftOf(direct.multiChannel!, direct.singleChannel!, true);
      expect(eur.lift.value).toBeCloseTo(expectedLift.value!, 9);
      expect(eur.lift.ci95!.low).toBeCloseTo(expectedLift.ci95!.low, 7);
      expect(eur.lift.ci95!.high).toBeCloseTo(expectedLift.ci95!.high, 7);
      // Conversions a day after the first engagement are all attributed, to the last channel engaged in.
      const engagedOrders = orders.get('multiChannel')!.length + orders.get('singleChannel')!.length;
      expect(m.conversions.attributed).toBe(engagedOrders);
      expect(m.conversions.anyEngagement.email!.conversions).toBe(engagedOrders);
      expect(m.conversions.anyEngagement.web!.conversions).toBe(orders.get('multiChannel')!.length);
    });
  }
});
