import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeliveryTracker, createEngagementMetrics, createEventIngest, renderWaitersKey, serverEventId } from '../../../src/engagement/index.js';
import { startTestRedis, type EmbeddedRedis } from '../../helpers/redis-server.js';

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
let n = 0;
const ev = (campaignId: string, type: string, ts: number, meta: Record<string, string> = {}, recipientId = 'r1', channel = 'email') => ({
  id: `evt-${(n++).toString().padStart(6, '0')}`,
  type,
  campaignId,
  recipientId,
  channel,
  templateId: 'year-recap',
  ts,
  meta,
});

describe('link-scanner timing', () => {
  it('an open or click within the delay after the channel delivery is a bot; later ones are human', async () => {
    const ingest = createEventIngest({ redis }, { minResponseDelayMs: 2000 });
    await ingest.ingest([ev('cmp-t1', 'delivered', T)]);
    const r = await ingest.ingest([
      ev('cmp-t1', 'impression', T + 300),
      ev('cmp-t1', 'cta_click', T + 1999, { ctaId: 'a' }),
      ev('cmp-t1', 'impression', T + 2000),
      // Another channel's delivery does not make this one fast: no web delivery.
      ev('cmp-t1', 'cta_click', T + 500, { ctaId: 'a' }, 'r1', 'web'),
      // A play is never judged by timing (a person can press play at once).
      ev('cmp-t1', 'play', T + 100),
    ]);
    expect(r.events.map((e) => e.bot)).toEqual([true, true, false, false, false]);
    const m = await createEngagementMetrics(redis).campaignMetrics('cmp-t1');
    expect(m.channels.email!.botEvents).toBe(2);
    expect(m.channels.email!.funnel).toMatchObject({ opened: 1, clicked: 0, played: 1 });
    expect(m.channels.web!.funnel.clicked).toBe(1);
  });

  it('clicks on different CTAs of one recipient within the window are bots (the first one is taken back in the metrics)', async () => {
    const ingest = createEventIngest({ redis }, { multiCtaWindowMs: 1000 });
    const r = await ingest.ingest([
      ev('cmp-t2', 'cta_click', T + 10_000, { ctaId: 'book' }),
      ev('cmp-t2', 'cta_click', T + 10_300, { ctaId: 'offers' }),
      ev('cmp-t2', 'cta_click', T + 10_600, { ctaId: 'book' }),
      ev('cmp-t2', 'cta_click', T + 30_000, { ctaId: 'offers' }),
      // Another recipient is judged alone.
      ev('cmp-t2', 'cta_click', T + 10_400, { ctaId: 'offers' }, 'r2'),
    ]);
    // The verdict at ingestion: each click sees the clicks stored before it.
    expect(r.events.map((e) => e.bot)).toEqual([false, true, true, false, false]);
    expect(r.bots).toBe(2);
    // The metrics see them all: the first click had a partner 300 ms later, so it is a scanner's too.
    const m = await createEngagementMetrics(redis).campaignMetrics('cmp-t2');
    expect(m.channels.email!.botEvents).toBe(3);
    expect(m.channels.email!.events.cta_click).toBe(2);
  });
});

describe('delivered events of campaigns', () => {
  it('entries waiting on a render key are delivered once when it is published, across campaigns', async () => {
    const ingest = createEventIngest({ redis });
    const tracker = createDeliveryTracker({ redis, ingest });
    const key = 'a'.repeat(64);
    await tracker.awaitRenders('cmp-d1', 'year-recap', [
      { recipientId: 'r1', channel: 'email', propsHash: 'h1', renderKey: key },
      { recipientId: 'r1', channel: 'web', propsHash: 'h1', renderKey: key },
      { recipientId: 'r2', channel: 'sms', propsHash: 'h2', renderKey: 'b'.repeat(64) },
    ]);
    await tracker.awaitRenders('cmp-d2', 'year-recap', [{ recipientId: 'x', channel: 'email', propsHash: 'h9', renderKey: key }]);
    expect(await tracker.onRendered(key)).toBe(3);
    expect(await tracker.onRendered(key)).toBe(0);
    expect(await redis.exists(renderWaitersKey(key))).toBe(0);
    const metrics = createEngagementMetrics(redis);
    const m1 = await metrics.campaignMetrics('cmp-d1');
    expect(m1.overall.funnel.delivered).toBe(1);
    expect(m1.channels.email!.funnel.delivered).toBe(1);
    expect(m1.channels.sms).toBeUndefined();
    expect(m1.consistency).toMatchObject({ recipientsCompared: 1, consistent: 1, score: 1 });
    expect((await metrics.campaignMetrics('cmp-d2')).overall.funnel.delivered).toBe(1);

    // Settled at fan-out (already rendered): delivered now, and a later hook run is a duplicate.
    const waiting = [{ recipientId: 'r2', channel: 'sms', propsHash: 'h2', renderKey: 'b'.repeat(64) }];
    await tracker.settleRendered('cmp-d1', 'year-recap', waiting, new Set(['b'.repeat(64)]));
    expect((await metrics.campaignMetrics('cmp-d1')).channels.sms!.funnel.delivered).toBe(1);
    expect(await tracker.onRendered('b'.repeat(64))).toBe(0);
    // The id is deterministic: a retried delivery is a duplicate.
    const again = await ingest.ingest([{ ...ev('cmp-d1', 'delivered', T, { propsHash: 'h2' }, 'r2', 'sms'), id: serverEventId(['delivered', 'cmp-d1', 'r2', 'sms', 'h2']) }]);
    expect(again.duplicates).toBe(1);
  });
});
