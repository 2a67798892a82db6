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
const hashesHolding = async (text: string) => {
  const found: string[] = [];
  for (const key of await farm.redis.keys(`{mastercut}:eng:${CAMPAIGN}:*`)) {
    if ((await farm.redis.type(key)) !== 'hash') continue;
    if ((await farm.redis.hkeys(key)).some((field) => field.includes(text))) found.push(key.slice(key.lastIndexOf(':') + 1));
  }
  return found;
};
const webhookJobsHolding = async (text: string) =>
  (await webhooks.getJobs(['waiting', 'prioritized', 'delayed', 'active', 'failed', 'completed'])).filter((j) => JSON.stringify(j.data).includes(text)).length;

describe('erasure seen by every API process at once', () => {
  let link: CreatedLink;
  let kept: CreatedLink;

  it('before: both APIs serve the link (memo and hot cache warm), and its events are recorded and queued for a webhook', async () => {
    const hook = await fetch(`${a.url}/v1/webhooks`, {
      method: 'POST',
      headers: { ...keyed, 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'http://127.0.0.1:9/hook', events: ['*'] }),
    });
    expect(hook.status).toBe(201);
    link = await publishedLink(SUBJECT);
    kept = await publishedLink(KEPT);
    for (const api of [a, b]) {
      expect((await rawGet(api.url, `${link.url}/status`, { headers: BROWSER })).status).toBe(200);
      // Twice: the second answer comes from the fast path's memory.
      for (let i = 0; i < 2; i++) expect((await rawGet(api.url, link.assets.video, { headers: BROWSER })).status).toBe(200);
      expect((await rawGet(api.url, `${link.url}/cta/book`, { headers: BROWSER })).status).toBe(302);
      expect((await rawGet(api.url, `${kept.url}/cta/book`, { headers: BROWSER })).status).toBe(302);
    }
    await until(async () => (await streamHolds(SUBJECT)) && (await webhookJobsHolding(SUBJECT)) > 0, 10_000, 'the events and their webhook jobs');
    expect(await hashesHolding(SUBJECT)).not.toEqual([]);
  });

  it('DELETE on one API: right away, neither API serves, records or re-creates anything for the subject', async () => {
    const counts = await farm.redis.hgetall(`{mastercut}:eng:${CAMPAIGN}:cnt`);
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
    }
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
    // The other recipient's data is untouched.
    expect(await streamHolds(KEPT)).toBe(true);
    expect(await hashesHolding(KEPT)).not.toEqual([]);
    expect(await webhookJobsHolding(KEPT)).toBeGreaterThan(0);
    expect((await rawGet(b.url, kept.assets.video, { headers: BROWSER })).status).toBe(200);
    expect(body.counts.events).toBeGreaterThan(0);
    expect(body.counts.aggregateEntries).toBeGreaterThan(0);
    expect(body.counts.webhookEvents).toBeGreaterThan(0);
  });
});
