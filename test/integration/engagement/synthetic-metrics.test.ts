import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignMetricsSchema, createEngagementMetrics, createEventIngest, engagementKeys, EVENTS_STREAM_KEY, type EngagementEvent, type IngestContext } from '../../../src/engagement/index.js';
import { startTestRedis, type EmbeddedRedis } from '../../helpers/redis-server.js';
import { expectedMetrics, type ExpectedOptions } from './expected-metrics.js';
import { generateSyntheticLog, PROXY_CLIENT, SCANNER_CLIENT, seededRandom, type SyntheticEvent, type SyntheticGroup, type SyntheticLog } from './synthetic-event-log.js';

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

const OPTIONS: ExpectedOptions = { minDelayMs: 2000, multiCtaMs: 1000, windowMs: 30 * 86_400_000, minRecipients: 40, minConverters: 5 };
const CONTEXTS: Record<SyntheticGroup, IngestContext> = {
  farmDeliveries: { trusted: true, source: 'farm' },
  senderDeliveries: { trusted: true },
  responses: { trusted: true },
  scanner: { client: SCANNER_CLIENT },
  proxy: { client: PROXY_CLIENT },
  conversions: { trusted: true },
};

/**
 * Every group's events in batches of 1 to 120, a tenth of them sent twice,
 * all batches shuffled together: deliveries arrive before and after the
 * opens and clicks they explain, in any order.
 */
function mixedBatches(log: SyntheticLog, random: () => number): { group: SyntheticGroup; events: SyntheticEvent[] }[] {
  const out: { group: SyntheticGroup; events: SyntheticEvent[] }[] = [];
  for (const [group, events] of Object.entries(log.groups) as [SyntheticGroup, SyntheticEvent[]][]) {
    const all = [...events];
    for (const e of events) if (random() < 0.1) all.push(e);
    for (let i = all.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [all[i], all[j]] = [all[j]!, all[i]!];
    }
    for (let i = 0; i < all.length; ) {
      const size = 1 + Math.floor(random() * 120);
      out.push({ group, events: all.slice(i, i + size) });
      i += size;
    }
  }
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Deep equality, numbers within a relative 1e-9 (confidence intervals come from two t quantile methods). */
function expectClose(actual: unknown, expected: unknown, path = '$'): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    expect(Math.abs(actual - expected), `${path}: ${actual} vs ${expected}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
    return;
  }
  if (expected === null || typeof expected !== 'object') return void expect(actual, path).toEqual(expected);
  expect(typeof actual, path).toBe('object');
  expect(Object.keys(actual as object).sort(), path).toEqual(Object.keys(expected).sort());
  for (const [key, value] of Object.entries(expected)) expectClose((actual as Record<string, unknown>)[key], value, `${path}.${key}`);
}

async function ingestLog(log: SyntheticLog, seed: number, onBatch?: (events: EngagementEvent[]) => void) {
  const random = seededRandom(seed * 31);
  const ingest = createEventIngest({ redis, sinks: [async (events) => void onBatch?.([...events])] }, { scriptBatch: 50 });
  let accepted = 0;
  let duplicates = 0;
  for (const { group, events } of mixedBatches(log, random)) {
    const result = await ingest.ingest(events, CONTEXTS[group]);
    expect(result.rejected).toEqual([]);
    accepted += result.accepted;
    duplicates += result.duplicates;
  }
  return { accepted, duplicates };
}

describe('campaign metrics against a synthetic event log with a known answer', () => {
  for (const seed of [7, 42]) {
    it(`seed ${seed}: every figure equals the independently computed one, whatever the arrival order`, async () => {
      const log = generateSyntheticLog(seed, 400);
      const sunk: EngagementEvent[] = [];
      const streamBefore = await redis.xlen(EVENTS_STREAM_KEY);
      const { accepted, duplicates } = await ingestLog(log, seed, (events) => sunk.push(...events));
      const distinctOrders = new Set(log.groups.conversions.map((c) => c.orderId)).size;
      const total = Object.values(log.groups).flat().filter((e) => e.type !== 'conversion').length + distinctOrders;
      expect(accepted).toBe(total);
      expect(duplicates).toBeGreaterThan(0);
      expect(sunk.length).toBe(total);
      expect(new Set(sunk.map((e) => e.id)).size).toBe(total);
      expect(await redis.xlen(EVENTS_STREAM_KEY)).toBe(streamBefore + total);

      const metrics = await createEngagementMetrics(redis, OPTIONS).campaignMetrics(log.campaignId);
      expect(campaignMetricsSchema.parse(metrics)).toEqual(metrics);
      const { generatedAt, ...rest } = metrics;
      expect(Date.parse(generatedAt)).toBeGreaterThan(0);
      const expected = expectedMetrics(log, OPTIONS);
      expectClose(rest, expected);
      // The case mix is really there (otherwise the comparison proves little).
      expect(expected.crossChannel.multiChannelRecipients).toBeGreaterThan(10);
      expect(expected.consistency.driftedTotal).toBeGreaterThan(5);
      expect(expected.overall.botEvents).toBeGreaterThan(20);
      expect(expected.overall.machineOpens).toBeGreaterThan(20);
      expect(expected.timeToFirstResponse.histogram.filter((b) => b.count > 0).length).toBeGreaterThan(4);
      expect(Object.keys(expected.ltv.currencies)).toEqual(['EUR', 'JPY', 'USD']);
      expect(expected.conversions.attributed).toBeGreaterThan(10);
      expect(expected.conversions.total - expected.conversions.attributed).toBeGreaterThan(10);
      expect(Object.values(expected.ltv.currencies).some((c) => c.cohorts.singleChannel.significant && c.cohorts.singleChannel.ci95 !== null)).toBe(true);
      expect(Object.values(expected.ltv.currencies).some((c) => !c.cohorts.neverEngaged.significant && c.cohorts.neverEngaged.ci95 === null)).toBe(true);
      expect(Object.values(expected.ltv.currencies).every((c) => c.lift.value !== null && c.lift.ci95 !== null)).toBe(true);

      // The HyperLogLogs agree with the exact counters within their error (they never shrink: play never flips).
      const hll = await redis.pfcount(engagementKeys(log.campaignId).hll('*', 'play'));
      expect(Math.abs(hll - expected.overall.funnel.played)).toBeLessThanOrEqual(Math.ceil(expected.overall.funnel.played * 0.03));
      // Every key of the campaign expires.
      const keys = await redis.keys(`${engagementKeys(log.campaignId).base}*`);
      const ttls = await Promise.all(keys.map((k) => redis.ttl(k)));
      expect(ttls.every((t) => t > 0)).toBe(true);
    });
  }

  it('re-ingesting the whole log changes nothing (every id is a duplicate)', async () => {
    const log = generateSyntheticLog(99, 60);
    await ingestLog(log, 99);
    const metrics = createEngagementMetrics(redis, OPTIONS);
    const first = await metrics.campaignMetrics(log.campaignId);
    const again = await ingestLog(log, 100);
    expect(again.accepted).toBe(0);
    const second = await metrics.campaignMetrics(log.campaignId);
    expect({ ...second, generatedAt: '' }).toEqual({ ...first, generatedAt: '' });
  });

  it('refuses a broken event alone, by index and field path', async () => {
    const ingest = createEventIngest({ redis });
    const good = { id: 'evt-good-0001', type: 'play', campaignId: 'cmp-bad', recipientId: 'r', channel: 'web', templateId: 't', ts: Date.now(), meta: {} };
    const result = await ingest.ingest([good, { ...good, id: 'x', type: 'opened' }, { ...good, id: 'evt-good-0002', channel: 'No Caps' }], { trusted: true });
    expect(result.accepted).toBe(1);
    expect(result.rejected).toEqual([
      { index: 1, message: expect.stringMatching(/^type: /) },
      { index: 2, message: expect.stringMatching(/^channel: /) },
    ]);
  });
});
