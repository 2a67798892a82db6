import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_PREFIX, queueNames } from '../../src/queue/index.js';
import { createFarmProbe, createLiveLinks, rawGet, until, type CreatedLink, type FarmProbe } from '../helpers/live-farm.js';
import { startTestRedis, type EmbeddedRedis } from '../helpers/redis-server.js';
import { startApiProcess, stopFarmProcesses, type WorkerChild } from '../helpers/worker-process.js';

/**
 * Issue 13, defect 4: after `DELETE /v1/subjects/:id` returns, no request on
 * ANY API process serves, records or re-creates anything for that subject.
 * Two API processes share Redis and the store (no render worker: the test
 * puts the master in place itself, as a worker would publish it).
 */

const SUBJECT = 'cust-erase-2';
const KEPT = 'cust-kept-3';
const CAMPAIGN = 'cmp-erasure-e2e';
const BROWSER = { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36' };
const props = { firstName: 'Kenji', memberTier: 'Gold', nightsStayed: 12, pointsEarned: 3400, topDestination: 'Lisbon', cta: { label: 'Book now' } };

let redis: EmbeddedRedis;
let dir: string;
let storeRoot: string;
let a: WorkerChild & { url: string };
let b: WorkerChild & { url: string };
let farm: FarmProbe;
let webhooks: Queue;
const children: WorkerChild[] = [];

beforeAll(async () => {
  redis = await startTestRedis();
  dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-erasure2-'));
  storeRoot = path.join(dir, 'storage');
  // Webhooks to a plain-http loopback receiver are allowed so deliveries queue up (no webhook worker runs: they stay pending).
  const env = { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_PRIVATE: 'true' };
  a = await startApiProcess({ redisUrl: redis.url, storeRoot, env });
  b = await startApiProcess({ redisUrl: redis.url, storeRoot, env });
  children.push(a, b);
  farm = createFarmProbe(redis.url);
  webhooks = new Queue(queueNames.webhooks, { connection: farm.redis, prefix: QUEUE_PREFIX });
}, 120_000);

afterAll(async () => {
  await webhooks?.close();
  await farm?.close();
  await stopFarmProcesses(children);
  await redis?.destroy();
  await rm(dir, { recursive: true, force: true });
});

const keyed = { authorization: 'Bearer farm-key' };

/** A link of the subject whose master is "published" (file + index record), as a render worker leaves it. */
async function publishedLink(recipientId: string): Promise<CreatedLink> {
  const [link] = (await createLiveLinks(a.url, { templateId: 'year-recap', channels: ['web'], props: { ...props, firstName: recipientId }, recipientId, campaignId: CAMPAIGN })) as [CreatedLink];
  // The first open queues the master render (job id = render key); the request waits for it, so it is let go.
  const abort = new AbortController();
  const opened = fetch(`${a.url}${link.assets.video}`, { signal: abort.signal, headers: BROWSER }).then(async (r) => `${r.status} ${await r.text()}`, (e: Error) => e.message);
  const job = await until(async () => (await farm.render.getJobs(['prioritized', 'waiting'])).find((j) => j.data.priorityClass === 'live' && j.id), 10_000, 'the live render job').catch(async (err: Error) => {
    throw new Error(`${err.message}: ${await opened} ${JSON.stringify(await farm.render.getJobCounts())}`);
  });
  abort.abort();
  const key = job.id!;
  await job.remove();
  await mkdir(path.join(storeRoot, 'renders'), { recursive: true });
  const bytes = Buffer.from(`fake mp4 of ${key}`);
  await writeFile(path.join(storeRoot, 'renders', `${key}.mp4`), bytes);
  await farm.index.set({ key, state: 'done', storageKey: `renders/${key}.mp4`, size: bytes.length, contentType: 'video/mp4', templateId: 'year-recap', updatedAt: Date.now() });
  return link;
}

const streamHolds = async (text: string) => (await farm.redis.xrange('{mastercut}:events', '-', '+')).some(([, fields]) => fields.join(' ').includes(text));
/** Engagement keys (any campaign, click references, import reports) whose name, fields, values or members spell `text`. */
const hashesHolding = async (text: string) => {
  const found: string[] = [];
  for (const key of await farm.redis.keys('{mastercut}:eng:*')) {
    const type = await farm.redis.type(key);
    const content = type === 'hash' ? Object.entries(await farm.redis.hgetall(key)).flat() : type === 'set' ? await farm.redis.smembers(key) : type === 'list' ? await farm.redis.lrange(key, 0, -1) : [];
    if (key.includes(text) || content.some((s) => s.includes(text))) found.push(key.replace(`{mastercut}:eng:${CAMPAIGN}:`, '').replace(/^\{mastercut\}:eng:(click):.*$/, '$1'));
  }
  return found.sort();
};
/** The conversion pixel of the brand's confirmation page, with the CTA redirect's click reference. */
const pixel = (api: { url: string }, click: string, order: string) =>
  fetch(`${api.url}/v1/conversions/pixel.gif?${new URLSearchParams({ click, order, value: '49.90', currency: 'EUR' })}`, { headers: BROWSER });
const importOrders = (api: { url: string }, rows: string[]) =>
  fetch(`${api.url}/v1/conversions/import`, {
    method: 'POST',
    headers: { ...keyed, 'content-type': 'text/csv' },
    body: `order_id,value,currency,ts,campaign_id,recipient_id\n${rows.join('\n')}\n`,
  });
const conversions = async () => ((await (await fetch(`${a.url}/v1/campaigns/${CAMPAIGN}/metrics`, { headers: keyed })).json()) as { conversions: { total: number; revenue: Record<string, { total: number }> } }).conversions;
/** Jobs of the `webhooks` queue (CRM webhooks and CDP destinations alike) carrying `text`, optionally of one endpoint. */
const webhookJobsHolding = async (text: string, endpointId?: string) =>
  (await webhooks.getJobs(['waiting', 'prioritized', 'delayed', 'active', 'failed', 'completed'])).filter((j) => (!endpointId || j.data.endpointId === endpointId) && JSON.stringify(j.data).includes(text)).length;

describe('erasure seen by every API process at once', () => {
  let link: CreatedLink;
  let kept: CreatedLink;
  /** Click references the CTA redirects gave the subject (one per API). */
  const refs: string[] = [];
  /** A CDP destination (Segment format): its deliveries are webhook jobs too. */
  let cdp: string;

  it('before: both APIs serve the link (memo and hot cache warm), and its events are recorded and queued for a webhook', async () => {
    const hook = await fetch(`${a.url}/v1/webhooks`, {
      method: 'POST',
      headers: { ...keyed, 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'http://127.0.0.1:9/hook', events: ['*'] }),
    });
    expect(hook.status).toBe(201);
    const destination = await fetch(`${a.url}/v1/webhooks`, {
      method: 'POST',
      headers: { ...keyed, 'content-type': 'application/json' },
      body: JSON.stringify({ format: 'segment', url: 'http://127.0.0.1:9/v1/batch', writeKey: 'erasure-test-write-key-0123456789' }),
    });
    expect(destination.status).toBe(201);
    cdp = ((await destination.json()) as { id: string }).id;
    link = await publishedLink(SUBJECT);
    kept = await publishedLink(KEPT);
    for (const api of [a, b]) {
      expect((await rawGet(api.url, `${link.url}/status`, { headers: BROWSER })).status).toBe(200);
      // Twice: the second answer comes from the fast path's memory.
      for (let i = 0; i < 2; i++) expect((await rawGet(api.url, link.assets.video, { headers: BROWSER })).status).toBe(200);
      const cta = await rawGet(api.url, `${link.url}/cta/book`, { headers: BROWSER });
      expect(cta.status).toBe(302);
      refs.push(new URL(String(cta.headers.location)).searchParams.get('mc_click') ?? '');
      expect((await rawGet(api.url, `${kept.url}/cta/book`, { headers: BROWSER })).status).toBe(302);
    }
    // Conversions by every path: the pixel (click reference), the API key, an order import.
    expect((await pixel(b, refs[0]!, 'px-order-1')).headers.get('x-mastercut-conversion')).toBe('accepted');
    const keyedConversion = await fetch(`${a.url}/v1/events`, {
      method: 'POST',
      headers: { ...keyed, 'content-type': 'application/json' },
      body: JSON.stringify({ events: [{ type: 'conversion', campaignId: CAMPAIGN, recipientId: SUBJECT, orderId: 'api-order-1', value: 10, currency: 'EUR', ts: Date.now() }] }),
    });
    expect(await keyedConversion.json()).toMatchObject({ accepted: 1 });
    expect(await (await importOrders(b, [`imp-order-1,5.00,EUR,${Date.now()},${CAMPAIGN},${SUBJECT}`, `imp-order-2,5.00,EUR,${Date.now()},${CAMPAIGN},${KEPT}`])).json()).toMatchObject({ valid: 2, accepted: 2 });
    await until(async () => (await streamHolds(SUBJECT)) && (await webhookJobsHolding(SUBJECT, cdp)) > 0, 10_000, 'the events and their webhook and CDP jobs');
    const holding = await hashesHolding(SUBJECT);
    expect(holding).toEqual(['bcv', 'ck', 'click', 'click', 'cv', 'fr', 'hum', 'nch', 'seen']);
  });

  it('DELETE on one API: right away, neither API serves, records or re-creates anything for the subject', async () => {
    const counts = await farm.redis.hgetall(`{mastercut}:eng:${CAMPAIGN}:cnt`);
    const totals = await conversions();
    const res = await fetch(`${a.url}/v1/subjects/${SUBJECT}`, { method: 'DELETE', headers: keyed });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { counts: Record<string, number> };

    for (const api of [b, a]) {
      for (const asset of [link.assets.video, link.assets.preview, link.assets.poster, `${link.url}/status`, `${link.url}/cta/book`, link.url]) {
        const answer = await rawGet(api.url, asset, { headers: BROWSER });
        expect(answer.status, `${asset} on ${api === a ? 'A' : 'B'}`).toBe(410);
      }
      const beacon = await fetch(`${api.url}/v1/events`, {
        method: 'POST',
        headers: { ...BROWSER, 'content-type': 'text/plain' },
        body: JSON.stringify({ events: [{ id: `beacon-${api === a ? 'a' : 'b'}-0001`, type: 'play', token: link.url.replace(/^.*\/l\//, '') }] }),
      });
      expect(beacon.status).toBe(410);
      // The pixel's click references are gone: a conversion naming one is refused.
      for (const ref of refs) expect((await pixel(api, ref, `px-late-${api === a ? 'a' : 'b'}`)).status).toBe(403);
    }
    // A conversion reported with the API key, or imported, is refused too.
    const late = await fetch(`${a.url}/v1/events`, {
      method: 'POST',
      headers: { ...keyed, 'content-type': 'application/json' },
      body: JSON.stringify({ events: [{ type: 'conversion', campaignId: CAMPAIGN, recipientId: SUBJECT, orderId: 'api-order-2', value: 10, currency: 'EUR', ts: Date.now() }] }),
    });
    expect(await late.json()).toMatchObject({ accepted: 0, rejected: [{ index: 0, message: expect.stringMatching(/erased/) }] });
    const imported = await importOrders(b, [`imp-order-3,5.00,EUR,${Date.now()},${CAMPAIGN},${SUBJECT}`]);
    const report = await imported.text();
    expect(JSON.parse(report)).toMatchObject({ total: 1, valid: 0, invalid: 1, errors: [{ line: 2, issues: [{ path: 'recipientId' }] }] });
    expect(report).not.toContain(SUBJECT);
    // A CRM reporting an event for the erased recipient with the API key: refused, not stored.
    const crm = await fetch(`${b.url}/v1/events`, {
      method: 'POST',
      headers: { ...keyed, 'content-type': 'application/json' },
      body: JSON.stringify({ events: [{ id: 'crm-event-0001', type: 'delivered', campaignId: CAMPAIGN, recipientId: SUBJECT, channel: 'email', templateId: 'year-recap', ts: Date.now() }] }),
    });
    expect(crm.status).toBe(202);
    expect(await crm.json()).toMatchObject({ accepted: 0, rejected: [{ index: 0, message: expect.stringMatching(/erased/) }] });
    // And no new link is made for the subject on either API.
    for (const api of [a, b]) {
      const again = await fetch(`${api.url}/v1/live-links`, {
        method: 'POST',
        headers: { ...keyed, 'content-type': 'application/json' },
        body: JSON.stringify({ templateId: 'year-recap', channels: ['web'], props, recipientId: SUBJECT, campaignId: CAMPAIGN }),
      });
      expect(again.status).toBe(410);
    }

    // Nothing of the subject is left in the engagement data; the counts are kept.
    expect(await streamHolds(SUBJECT)).toBe(false);
    expect(await hashesHolding(SUBJECT)).toEqual([]);
    expect(await webhookJobsHolding(SUBJECT)).toBe(0);
    expect(await farm.redis.hgetall(`{mastercut}:eng:${CAMPAIGN}:cnt`)).toEqual(counts);
    // The conversions keep their amounts in the totals, without the recipient.
    expect(await conversions()).toMatchObject({ total: totals.total, revenue: { EUR: { total: totals.revenue.EUR!.total } } });
    // The other recipient's data is untouched.
    expect(await streamHolds(KEPT)).toBe(true);
    expect(await hashesHolding(KEPT)).not.toEqual([]);
    expect(await webhookJobsHolding(KEPT)).toBeGreaterThan(0);
    expect(await webhookJobsHolding(KEPT, cdp)).toBeGreaterThan(0);
    expect((await rawGet(b.url, kept.assets.video, { headers: BROWSER })).status).toBe(200);
    expect(body.counts.events).toBeGreaterThan(0);
    expect(body.counts.aggregateEntries).toBeGreaterThan(0);
    expect(body.counts.webhookEvents).toBeGreaterThan(0);
    expect(body.counts).toMatchObject({ conversions: 3, clickRefs: 2 });
  });
});
