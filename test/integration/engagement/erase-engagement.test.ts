import { Readable } from 'node:stream';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createBrowserEvents,
  createClickRefs,
  createEngagementMetrics,
  createEventIngest,
  engagementKeys,
  eraseEngagement,
  importOrders,
  type EventIngest,
  type LiveLinkSubject,
} from '../../../src/engagement/index.js';
import { isErased, tombstoneKey } from '../../../src/live/index.js';
import { readCsvRows } from '../../../src/uploads/index.js';
import { startTestRedis, type EmbeddedRedis } from '../../helpers/redis-server.js';

// Erasure of everything issue 20 added to the engagement data: per-recipient
// classification state, conversions (API key, pixel, beacon, import), click
// references and browser conversion counts. After it, no key, field, value,
// member or stream entry anywhere in Redis spells the recipient id, the
// counters keep their counts, and no path records anything for them again.

const ERASED = 'cust-erase-9';
const KEPT = 'cust-kept-9';
const CAMPAIGNS = ['cmp-erase-a', 'cmp-erase-b'];
const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36';
const T = Date.now() - 3_600_000;
const MIN = 60_000;

let server: EmbeddedRedis;
let redis: Redis;
let ingest: EventIngest;
let clicks: ReturnType<typeof createClickRefs>;

beforeAll(async () => {
  server = await startTestRedis();
  redis = new Redis(server.url);
  ingest = createEventIngest({ redis });
  clicks = createClickRefs(redis, { ttlSeconds: 3600 });
});
afterAll(async () => {
  redis.disconnect();
  await server.destroy();
});

/** As the API wires it: a reference of an erased recipient is refused even while it exists. */
const openClick = async (ref: string): Promise<LiveLinkSubject> => {
  const subject = await clicks.open(ref);
  if (await isErased(redis, { recipientId: subject.recipientId })) throw new Error('erased');
  return subject;
};
const browser = (over: Partial<Parameters<typeof createBrowserEvents>[0]> = {}) => createBrowserEvents({ ingest, redis, openClick, ...over });
const client = { userAgent: CHROME, ip: '203.0.113.9', method: 'GET' };

/** Every key of the instance whose name or content spells `text` (the recipient's tombstone aside). */
async function keysHolding(text: string): Promise<string[]> {
  const found: string[] = [];
  const skip = tombstoneKey(text);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      if (key === skip) continue;
      const type = await redis.type(key);
      let content: string[] = [];
      if (type === 'string') content = [(await redis.getBuffer(key))?.toString('latin1') ?? ''];
      else if (type === 'hash') content = Object.entries(await redis.hgetall(key)).flat();
      else if (type === 'set') content = await redis.smembers(key);
      else if (type === 'list') content = await redis.lrange(key, 0, -1);
      else if (type === 'zset') content = await redis.zrange(key, '0', '-1');
      else if (type === 'stream') content = (await redis.xrange(key, '-', '+')).flatMap(([, fields]) => fields);
      if ([key, ...content].some((s) => s.includes(text))) found.push(key);
    }
  } while (cursor !== '0');
  return found.sort();
}

/** One recipient's life in a campaign, through every path that records something. */
async function engage(campaignId: string, recipientId: string, tag: string): Promise<string> {
  const base = { campaignId, recipientId, templateId: 'year-recap' };
  const events = [
    { ...base, id: `${tag}-event-1`, type: 'delivered', channel: 'email', ts: T, meta: { propsHash: 'a'.repeat(64) } },
    { ...base, id: `${tag}-event-2`, type: 'delivered', channel: 'sms', ts: T + MIN, meta: { propsHash: 'b'.repeat(64) } },
    // A client's own event id may spell the recipient id (its dedupe marker would then too).
    { ...base, id: `${recipientId}-open`, type: 'impression', channel: 'email', ts: T + 5 * MIN, meta: {} },
    { ...base, id: `${tag}-event-4`, type: 'impression', channel: 'sms', ts: T + MIN + 500, meta: {} },
    { ...base, id: `${tag}-event-5`, type: 'cta_click', channel: 'email', ts: T + 6 * MIN, meta: { ctaId: 'book' } },
    { ...base, id: `${tag}-event-6`, type: 'page_view', channel: 'sms', ts: T + 7 * MIN, meta: {} },
    { ...base, id: `${tag}-event-7`, type: 'play', channel: 'email', ts: T + 8 * MIN, meta: {} },
    { ...base, type: 'conversion', channel: 'email', orderId: `${tag}-order-1`, value: 49.9, currency: 'EUR', ts: T + 9 * MIN },
  ];
  const keyed = await ingest.ingest(events, { trusted: true });
  expect(keyed.rejected).toEqual([]);
  const ref = await clicks.issue({ ...base, channel: 'email' });
  const pixel = await browser().ingest([{ type: 'conversion', click: ref, orderId: `${tag}-order-2`, value: 20, currency: 'EUR' }], client, 'pixel');
  expect(pixel).toMatchObject({ accepted: 1, rejected: [] });
  return ref;
}

const importCsv = (rows: string[]) =>
  importOrders({ redis, ingest, openClick }, readCsvRows(Readable.from([`order_id,value,currency,ts,campaign_id,recipient_id\n${rows.join('\n')}\n`]), { maxRecordBytes: 65_536 }));

describe('eraseEngagement', () => {
  let refs: string[] = [];

  it('leaves nothing that spells the recipient, keeps every counter and the conversions total', async () => {
    for (const [i, campaignId] of CAMPAIGNS.entries()) {
      refs.push(await engage(campaignId, ERASED, `e${i}`));
      await engage(campaignId, KEPT, `k${i}`);
    }
    const imported = await importCsv([`imp-e-1,15.00,EUR,${T + 20 * MIN},${CAMPAIGNS[0]},${ERASED}`, `imp-k-1,15.00,EUR,${T + 20 * MIN},${CAMPAIGNS[0]},${KEPT}`]);
    expect(imported).toMatchObject({ total: 2, valid: 2, accepted: 2 });
    const holding = await keysHolding(ERASED);
    // The per-recipient state of issue 20 is there to be erased.
    for (const name of ['touch', 'fr', 'frn', 'tl', 'dl', 'im', 'ck', 'hum', 'nch', 'seen', 'props', 'cv', 'bcv']) expect(holding).toContain(engagementKeys(CAMPAIGNS[0]!).base + name);
    expect(holding.filter((key) => key.includes(':eng:click:'))).toHaveLength(2);

    const counters = async () => Promise.all(CAMPAIGNS.flatMap((c) => [redis.hgetall(engagementKeys(c).counts), redis.hgetall(engagementKeys(c).uniques)]));
    const before = await counters();
    const totals = async () => Promise.all(CAMPAIGNS.map(async (c) => (await createEngagementMetrics(redis).campaignMetrics(c)).conversions));
    const conversionsBefore = await totals();

    await redis.set(tombstoneKey(ERASED), String(Date.now()));
    const result = await eraseEngagement(redis, ERASED);

    expect(await keysHolding(ERASED)).toEqual([]);
    expect(result.events).toBeGreaterThanOrEqual(2 * 9 + 1);
    expect(result.aggregateEntries).toBeGreaterThan(0);
    expect(result).toMatchObject({ conversions: 2 * 2 + 1, clickRefs: 2 });
    expect(await counters()).toEqual(before);
    const conversionsAfter = await totals();
    for (const [i, after] of conversionsAfter.entries()) {
      // The amounts stay in the totals; nothing ties them to a channel any more.
      expect(after.total).toBe(conversionsBefore[i]!.total);
      expect(after.revenue.EUR!.total).toBe(conversionsBefore[i]!.revenue.EUR!.total);
      expect(after.attributed).toBeLessThan(conversionsBefore[i]!.attributed);
    }
    for (const c of CAMPAIGNS) expect(JSON.stringify(await createEngagementMetrics(redis).campaignMetrics(c))).not.toContain(ERASED);
    // The other recipient is untouched.
    expect((await keysHolding(KEPT)).length).toBeGreaterThan(10);
    // A second erasure finds nothing.
    expect(await eraseEngagement(redis, ERASED)).toEqual({ events: 0, aggregateEntries: 0, conversions: 0, clickRefs: 0 });
  });

  it('afterwards, no path records a conversion or anything else for the recipient', async () => {
    const keyed = await ingest.ingest(
      [
        { type: 'conversion', campaignId: CAMPAIGNS[0], recipientId: ERASED, orderId: 'late-1', value: 10, currency: 'EUR', ts: Date.now() },
        { id: 'late-event-2', type: 'page_view', campaignId: CAMPAIGNS[1], recipientId: ERASED, channel: 'web', templateId: 'year-recap', ts: Date.now(), meta: {} },
      ],
      { trusted: true },
    );
    expect(keyed).toMatchObject({ accepted: 0, rejected: [{ index: 0, message: expect.stringMatching(/erased/) }, { index: 1, message: expect.stringMatching(/erased/) }] });
    // The pixel's old reference is gone; no new one is issued.
    await expect(clicks.open(refs[0]!)).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
    await expect(clicks.issue({ campaignId: CAMPAIGNS[0]!, recipientId: ERASED, channel: 'email', templateId: 'year-recap' })).rejects.toMatchObject({ code: 'SUBJECT_ERASED' });
    // A beacon or pixel naming the recipient by token: the ingestion refuses it whatever the opener said.
    const byToken = await browser({ openToken: async () => ({ campaignId: CAMPAIGNS[0], recipientId: ERASED, channel: 'web', templateId: 'year-recap' }) }).ingest(
      [{ type: 'conversion', token: 't', orderId: 'late-3', value: 5, currency: 'EUR' }],
      client,
      'beacon',
    );
    expect(byToken).toMatchObject({ accepted: 0, rejected: [{ index: 0, message: expect.stringMatching(/erased/) }] });
    // An import: the row is invalid, with its line and no value in the report.
    const imported = await importCsv([`imp-e-2,15.00,EUR,${T},${CAMPAIGNS[0]},${ERASED}`, `imp-k-2,15.00,EUR,${T},${CAMPAIGNS[0]},${KEPT}`]);
    expect(imported).toMatchObject({ total: 2, valid: 1, invalid: 1, accepted: 1, errors: [{ line: 2, reason: 'invalid order', issues: [{ path: 'recipientId' }] }] });
    expect(JSON.stringify(imported)).not.toContain(ERASED);
    expect(await keysHolding(ERASED)).toEqual([]);
  });

  it('a browser conversion stored just before an erasure does not bring its count back after it', async () => {
    const racer = 'cust-erase-race';
    const ref = await clicks.issue({ campaignId: CAMPAIGNS[0]!, recipientId: racer, channel: 'email', templateId: 'year-recap' });
    // The erasure runs between the conversion's ingestion and its count toward the browser cap.
    const erasing: Pick<EventIngest, 'ingest'> = {
      async ingest(events, context) {
        const result = await ingest.ingest(events, context);
        await redis.set(tombstoneKey(racer), String(Date.now()));
        await eraseEngagement(redis, racer);
        return result;
      },
    };
    expect(await browser({ ingest: erasing }).ingest([{ type: 'conversion', click: ref, orderId: 'race-1', value: 3, currency: 'EUR' }], client, 'pixel')).toMatchObject({ accepted: 1 });
    expect(await keysHolding(racer)).toEqual([]);
  });
});
