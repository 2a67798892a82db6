import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/api/index.js';
import { API_REDIS_OPTIONS } from '../../../src/api/main.js';
import { createCampaignRouter } from '../../../src/api/routes/campaign-routes.js';
import { createOutputIndex, createRenderQueue, createRenders, type RenderQueue } from '../../../src/renders/index.js';
import { createCampaignService } from '../../../src/campaigns/index.js';
import { startCampaignHarness, type CampaignHarness } from './campaign-harness.js';

const KEY = 'campaign-test-key-0123456789';
const HEADER = 'recipientId,firstName,currentTier,nextTier,points,pointsToNextTier,memberSince';
const ROW = (i: number) => `c${i},Member,Silver,Gold,${i},10,2015`;

let h: CampaignHarness;
let apiQueue: RenderQueue;
let server: Server;
let base: string;

beforeAll(async () => {
  h = await startCampaignHarness();
  // The API's own fail-fast connection, as `mastercut serve` wires it.
  apiQueue = createRenderQueue({ redisUrl: h.redisServer.url, queueName: 'render-api-campaigns', redisOptions: API_REDIS_OPTIONS, events: false });
  apiQueue.connection.on('error', () => undefined);
  await apiQueue.queue.waitUntilReady();
  const index = createOutputIndex(apiQueue.connection);
  const campaigns = createCampaignService(
    { redis: apiQueue.connection, renders: createRenders({ queue: apiQueue.queue, redis: apiQueue.connection, index, store: h.store }), registry: h.registry, index, store: h.store, jobOptions: apiQueue.jobOptions },
    { outputBaseUrl: 'https://farm.example/' },
  );
  const app = createApp({
    registry: h.registry,
    renderQueue: apiQueue,
    index,
    store: h.store,
    redis: apiQueue.connection,
    apiKeys: [KEY],
    logger: pino({ level: 'silent' }),
    campaignRouter: createCampaignRouter({ campaigns, redis: apiQueue.connection }, { maxUploadBytes: 4096 }),
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/campaigns`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await apiQueue?.close();
  await h?.close();
});

const call = (pathname: string, init: RequestInit = {}, auth = true) =>
  fetch(`${base}${pathname}`, { ...init, headers: { ...(auth ? { authorization: `Bearer ${KEY}` } : {}), ...(init.headers as object) } });

/** A request body that arrives in pieces, with no Content-Length: the upload is streamed. */
function streamed(parts: string[]): RequestInit {
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = parts.shift();
      if (next === undefined) return controller.close();
      controller.enqueue(new TextEncoder().encode(next));
    },
  });
  return { method: 'POST', body, duplex: 'half' } as RequestInit;
}

/** The status once the campaign's fan-out ended. */
async function fannedOut(id: string) {
  let status: { state: string; counts: Record<string, number> } & Record<string, unknown>;
  await expect.poll(async () => (status = await (await call(`/${id}`)).json()).state, { timeout: 60_000, interval: 100 }).not.toBe('ingesting');
  return status!;
}

describe('campaign routes', () => {
  it('creates a campaign from a streamed CSV upload and serves status, manifest and errors', async () => {
    const parts = [`${HEADER}\n`, `${ROW(1)}\n${ROW(2)}\n`, `${ROW(1).replace('c1', 'c3')}\nbad,row\n`, `${ROW(4)}\n`];
    const res = await call('?templateId=loyalty-tier&channels=email,inapp', { ...streamed(parts), headers: { 'content-type': 'text/csv' } });
    // 202 once stored: every row is counted already, the fan-out follows.
    expect(res.status).toBe(202);
    const status = await res.json();
    expect(res.headers.get('location')).toBe(`/v1/campaigns/${status.id}`);
    expect(status).toMatchObject({ state: 'ingesting', counts: { total: 5, valid: 4, invalid: 1 } });

    const again = await fannedOut(status.id);
    expect(again).toMatchObject({ id: status.id, state: 'rendering', progress: 0, channels: ['email', 'inapp'] });
    expect(again.counts).toMatchObject({ total: 5, valid: 4, invalid: 1, renders: 6, queued: 6 });
    expect(await apiQueue.queue.count()).toBe(6);

    const csv = await call(`/${status.id}/manifest`);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await csv.text()).trim().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[1]).toMatch(/^c1,[0-9a-f]{64},https:\/\/farm\.example\/v1\/outputs\/[0-9a-f]{64},[0-9a-f]{64},https:/);

    const jsonl = await call(`/${status.id}/manifest?format=jsonl`);
    expect(jsonl.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    expect((await jsonl.text()).trim().split('\n').map((l) => JSON.parse(l).recipientId)).toEqual(['c1', 'c2', 'c3', 'c4']);

    const errors = await (await call(`/${status.id}/errors`)).json();
    expect(errors).toEqual({ campaignId: status.id, invalid: 1, warnings: 0, offset: 0, errors: [{ line: 5, reason: expect.stringMatching(/columns/) }] });
  });

  it('takes JSON Lines uploads and inline JSON recipients', async () => {
    const ndjson = `${JSON.stringify({ recipientId: 'n1', firstName: 'A', currentTier: 'Gold', nextTier: 'Diamond', points: 1, pointsToNextTier: 2, memberSince: 2020 })}\n{oops\n`;
    const res = await call('?templateId=loyalty-tier&channels=social', { method: 'POST', body: ndjson, headers: { 'content-type': 'application/x-ndjson' } });
    expect(res.status).toBe(202);
    expect((await res.json()).counts).toMatchObject({ total: 2, valid: 1, invalid: 1 });

    const inline = await call('', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        templateId: 'loyalty-tier',
        channels: ['web', 'sms'],
        recipients: [{ recipientId: 'i1', firstName: 'B', currentTier: 'Silver', nextTier: 'Gold', points: 5, pointsToNextTier: 6, memberSince: 2019 }, { firstName: 'no id' }],
      }),
    });
    expect(inline.status).toBe(202);
    const status = await fannedOut((await inline.json()).id);
    expect(status.counts).toMatchObject({ total: 2, valid: 1, invalid: 1, renders: 2 });
    expect(status.channelVariants).toEqual(['landscape', 'portrait']);
  });

  it('refuses bad parameters, content types, ids and keys with the right status', async () => {
    const csv = { method: 'POST', body: `${HEADER}\n${ROW(1)}\n`, headers: { 'content-type': 'text/csv' } };
    const social = await call('?templateId=reference&channels=social', csv);
    expect(social.status).toBe(400);
    expect(await social.json()).toMatchObject({ code: 'INVALID_ARGUMENT', issues: [{ path: 'channels', message: expect.stringMatching(/square/) }] });
    expect((await call('?templateId=loyalty-tier', csv)).status).toBe(400); // no channels
    expect((await call('?templateId=loyalty-tier&channels=email&mode=lazy', csv)).status).toBe(400);
    expect((await call('?templateId=nope&channels=email', csv)).status).toBe(404);
    expect((await call('?templateId=loyalty-tier&channels=email', { ...csv, headers: { 'content-type': 'text/plain' } })).status).toBe(400);
    expect((await call('?templateId=loyalty-tier&channels=email', csv, false)).status).toBe(401);
    expect((await call('/cmp_..%2F..%2Fetc')).status).toBe(400);
    expect((await call('/not-a-campaign/manifest')).status).toBe(400);
    expect((await call('/cmp_aaaaaaaaaaaaaaaaaaaa')).status).toBe(404);
    expect((await call('/cmp_aaaaaaaaaaaaaaaaaaaa/errors?limit=0')).status).toBe(400);
  });

  it('answers 413 for an upload over the cap, declared or streamed, and keeps what was counted as a failed campaign', async () => {
    const big = `${HEADER}\n${Array.from({ length: 200 }, (_, i) => ROW(i)).join('\n')}\n`;
    expect(big.length).toBeGreaterThan(4096);
    const declared = await call('?templateId=loyalty-tier&channels=email', { method: 'POST', body: big, headers: { 'content-type': 'text/csv' } });
    expect(declared.status).toBe(413);

    const chunks = big.match(/[\s\S]{1,512}/g)!;
    const res = await call('?templateId=loyalty-tier&channels=email', { ...streamed(chunks), headers: { 'content-type': 'text/csv' } });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    const ids = (await h.redis.keys('{mastercut}:cmp:cmp_*')).filter((k) => k.split(':').length === 3);
    const states = await Promise.all(ids.map((k) => h.redis.hget(k, 'state')));
    expect(states).toContain('failed');
  });
});
