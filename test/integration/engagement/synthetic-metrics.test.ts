import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignMetricsSchema, createEngagementMetrics, createEventIngest, engagementKeys, EVENTS_STREAM_KEY, type EngagementEvent } from '../../../src/engagement/index.js';
import { startTestRedis, type EmbeddedRedis } from '../../helpers/redis-server.js';
import { expectedMetrics, generateSyntheticLog, seededRandom } from './synthetic-event-log.js';

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

/** Shuffled batches of 1 to 120 events, a tenth of them sent twice (in another batch, or the same one). */
function batches(events: EngagementEvent[], random: () => number): EngagementEvent[][] {
  const all = [...events];
  for (const e of events) if (random() < 0.1) all.push(e);
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  const out: EngagementEvent[][] = [];
  for (let i = 0; i < all.length; ) {
    const size = 1 + Math.floor(random() * 120);
    out.push(all.slice(i, i + size));
    i += size;
  }
  return out;
}

describe('campaign metrics against a synthetic event log with a known answer', () => {
  for (const seed of [7, 42]) {
    it(`seed ${seed}: every figure equals the independently computed one`, async () => {
      const log = generateSyntheticLog(seed, 400);
      const random = seededRandom(seed * 31);
      const counted = { accepted: 0, duplicates: 0, rejected: 0, bots: 0 };
      const sunk: EngagementEvent[] = [];
      const ingest = createEventIngest(
        {
          redis,
          sinks: [async (events) => void sunk.push(...events)],
          onIngested: (c) => {
            counted.accepted += c.accepted;
            counted.duplicates += c.duplicates;
            counted.rejected += c.rejected;
            counted.bots += c.bots;
          },
        },
        { scriptBatch: 50 },
      );
      const streamBefore = await redis.xlen(EVENTS_STREAM_KEY);
      for (const batch of batches(log.deliveries, random)) await ingest.ingest(batch, { trusted: true });
      for (const batch of batches(log.responses, random)) {
        // A broken event in the middle of a batch is refused alone.
        const withBad = [...batch.slice(0, 1), { ...batch[0], id: 'x', type: 'opened' }, ...batch.slice(1)];
        const result = await ingest.ingest(withBad, { trusted: true });
        expect(result.rejected).toEqual([{ index: 1, message: expect.stringMatching(/^id: .*; type: /) }]);
      }
      const scanner = { userAgent: 'Mozilla/5.0 (compatible; Mimecast URL Protect)', method: 'GET' };
      for (const batch of batches(log.scannerBatch, random)) await ingest.ingest(batch, { client: scanner });

      const total = log.deliveries.length + log.responses.length + log.scannerBatch.length;
      const expected = expectedMetrics(log);
      expect(counted.accepted).toBe(total);
      expect(sunk.length).toBe(total);
      expect(new Set(sunk.map((e) => e.id)).size).toBe(total);
      expect(counted.bots).toBe(expected.overall.botEvents);
      expect(counted.duplicates).toBeGreaterThan(0);
      expect(await redis.xlen(EVENTS_STREAM_KEY)).toBe(streamBefore + total);

      const metrics = await createEngagementMetrics(redis).campaignMetrics(log.campaignId);
      expect(campaignMetricsSchema.parse(metrics)).toEqual(metrics);
      const { generatedAt, ...rest } = metrics;
      expect(Date.parse(generatedAt)).toBeGreaterThan(0);
      expect(rest).toEqual(expected);
      // The case mix is really there (otherwise the comparison proves little).
      expect(expected.crossChannel.multiChannelRecipients).toBeGreaterThan(10);
      expect(expected.consistency.driftedTotal).toBeGreaterThan(5);
      expect(expected.overall.botEvents).toBeGreaterThan(20);
      expect(expected.timeToFirstResponse.histogram.filter((b) => b.count > 0).length).toBeGreaterThan(4);

      // The HyperLogLogs agree with the exact counters within their error.
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
    const ingest = createEventIngest({ redis });
    const metrics = createEngagementMetrics(redis);
    await ingest.ingest(log.deliveries, { trusted: true });
    await ingest.ingest(log.responses, { trusted: true });
    const first = await metrics.campaignMetrics(log.campaignId);
    const again = await ingest.ingest([...log.deliveries, ...log.responses], { trusted: true });
    expect(again).toMatchObject({ accepted: 0, duplicates: log.deliveries.length + log.responses.length });
    const second = await metrics.campaignMetrics(log.campaignId);
    expect({ ...second, generatedAt: '' }).toEqual({ ...first, generatedAt: '' });
  });
});
