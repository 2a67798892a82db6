import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createEventIngest, type EventIngest } from '../../../src/engagement/index.js';
import {
  createWebhookDispatcher,
  createWebhookRegistry,
  createWebhookWorker,
  listWebhookDeadLetters,
  replayWebhookEvents,
  type WebhookJobData,
  type WebhookRegistry,
  type WebhookWorker,
} from '../../../src/engagement/webhooks/index.js';
import { closeRedisConnection, createRedisConnection, QUEUE_PREFIX } from '../../../src/queue/index.js';
import { startTestRedis, type EmbeddedRedis } from '../../helpers/redis-server.js';
import { startWebhookReceiver, type ReceivedWebhook } from './webhook-receiver.js';

// A CDP destination end to end: events ingested -> the dispatcher -> the
// `webhooks` queue -> the worker -> a local Segment-style collector, which
// checks every request against the HTTP Tracking API's published shape.

/**
 * Segment's HTTP Tracking API, `POST /v1/batch`
 * (https://segment.com/docs/connections/sources/catalog/libraries/server/http-api/#batch):
 * `{batch: [calls], sentAt?, context?}`; a `track` call has `type`, `userId`
 * (or `anonymousId`), `event`, `properties`, `timestamp` (ISO 8601) and
 * `messageId`; at most 32 KB a call and 500 KB a batch; the write key as
 * the Basic auth user name with an empty password.
 */
const trackSchema = z.strictObject({
  type: z.literal('track'),
  userId: z.string().min(1),
  event: z.string().min(1),
  properties: z.record(z.string(), z.unknown()),
  timestamp: z.iso.datetime({ offset: true }),
  messageId: z.string().min(1).max(100),
  context: z.object({ library: z.object({ name: z.string(), version: z.string() }) }).optional(),
});
const batchSchema = z.strictObject({ batch: z.array(trackSchema).min(1), sentAt: z.iso.datetime({ offset: true }).optional(), context: z.record(z.string(), z.unknown()).optional() });
type Batch = z.infer<typeof batchSchema>;

const WRITE_KEY = 'wk_Zm9vYmFyYmF6cXV4MTIz';
const policy = { allowHttp: true, allowPrivateAddresses: true };
const SCHEDULE = [300, 300, 300];

let server: EmbeddedRedis;
let redis: Redis;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let queue: Queue<WebhookJobData>;
let registry: WebhookRegistry;
let worker: WebhookWorker | undefined;
let ingest: EventIngest;

/** A request as the collector sees it: auth checked, body validated against the published shape. */
function collected(hit: ReceivedWebhook): Batch {
  expect(hit.headers.authorization).toBe(`Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`);
  expect(hit.headers['content-type']).toBe('application/json');
  expect(Buffer.byteLength(hit.body)).toBeLessThanOrEqual(500 * 1024);
  const body = batchSchema.parse(JSON.parse(hit.body));
  for (const call of body.batch) expect(Buffer.byteLength(JSON.stringify(call))).toBeLessThanOrEqual(32 * 1024);
  return body;
}

const T = Date.now() - 3_600_000;
let n = 0;
const ev = (type: string, over: Record<string, unknown> = {}) => ({
  id: `cdp-${randomUUID().slice(0, 8)}-${n++}`,
  type,
  campaignId: 'cmp-cdp',
  recipientId: 'cust-42',
  channel: 'web',
  templateId: 'year-recap',
  ts: T + n * 1000,
  meta: {},
  ...over,
});

function startWorker() {
  worker = createWebhookWorker({ redis, policy, retryScheduleMs: SCHEDULE }, { connection: redis, queueName: queue.name, concurrency: 2, stalledIntervalMs: 5_000 });
  worker.worker.on('error', () => undefined);
  worker.run();
}

async function settled(): Promise<void> {
  await expect
    .poll(async () => {
      const c = await queue.getJobCounts('waiting', 'delayed', 'active', 'prioritized');
      return c.waiting + c.delayed + c.active + (c.prioritized ?? 0);
    }, { timeout: 20_000, interval: 50 })
    .toBe(0);
}

beforeAll(async () => {
  server = await startTestRedis();
  redis = createRedisConnection(server.url);
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await receiver.close();
  await closeRedisConnection(redis);
  await server.destroy();
});
beforeEach(async () => {
  await redis.flushdb();
  queue = new Queue<WebhookJobData>(`cdp-${randomUUID().slice(0, 8)}`, { connection: redis, prefix: QUEUE_PREFIX });
  registry = createWebhookRegistry(redis, { policy });
  ingest = createEventIngest({ redis, sinks: [createWebhookDispatcher({ redis, queue }, { retryScheduleMs: SCHEDULE, maxEventsPerJob: 4 })] });
});
afterEach(async () => {
  await worker?.shutdown(0);
  worker = undefined;
  await queue.close();
});

describe('CDP destination (Segment HTTP Tracking API)', () => {
  it('sends the mapped events as batches of track calls with the write key; unmapped types stay home', async () => {
    receiver.script('/ok/v1/batch', [{ status: 200 }]);
    const created = await registry.create({ format: 'segment', url: receiver.url('/ok/v1/batch'), writeKey: WRITE_KEY });
    // The write key is shown once; afterwards only a hint.
    expect(created.secret).toBe(WRITE_KEY);
    expect(JSON.stringify(await registry.get(created.endpoint.id))).not.toContain(WRITE_KEY);
    expect(created.endpoint).toMatchObject({ format: 'segment', mapping: { play: 'Video Playback Started', conversion: 'Order Completed' } });
    startWorker();
    const events = [
      ev('delivered'),
      ev('impression'),
      ev('play', { meta: { source: 'player' } }),
      ev('progress_25'),
      ev('complete'),
      ev('cta_click', { meta: { ctaId: 'book' } }),
      { type: 'conversion', campaignId: 'cmp-cdp', recipientId: 'cust-42', channel: 'web', ts: T + 60_000, value: 49.9, currency: 'EUR', orderId: 'ord-1' },
    ];
    const result = await ingest.ingest(events, { trusted: true });
    expect(result.accepted).toBe(7);
    await settled();
    const hits = receiver.at('/ok/v1/batch');
    // Five mapped events, at most four per message: two batches.
    expect(hits).toHaveLength(2);
    // Two jobs run at once (concurrency 2), so the batches may arrive in either order: read them by time.
    const calls = hits.flatMap((h) => collected(h).batch).sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));
    const stored = new Map(result.events.map((e) => [e.id, e]));
    expect(calls.map((c) => c.event)).toEqual(['Video Playback Started', 'Video Content Playing', 'Video Playback Completed', 'CTA Clicked', 'Order Completed']);
    for (const call of calls) {
      const e = stored.get(call.messageId.replace(/^mastercut-/, ''))!;
      expect(e, call.messageId).toBeDefined();
      expect(call.userId).toBe('cust-42');
      expect(call.timestamp).toBe(new Date(e.ts).toISOString());
      expect(call.properties).toMatchObject({ campaign_id: 'cmp-cdp', delivery_channel: 'web', mastercut_event: e.type });
    }
    expect(calls[1]!.properties).toMatchObject({ percent_complete: 25, content_asset_id: 'year-recap', video_player: 'mastercut' });
    expect(calls[3]!.properties).toMatchObject({ cta_id: 'book' });
    expect(calls[4]!.properties).toMatchObject({ order_id: 'ord-1', total: 49.9, revenue: 49.9, currency: 'EUR' });
  });

  it('retries on 5xx and 429 with the same messageIds; a replay resends them with the same messageIds', async () => {
    receiver.script('/flaky/v1/batch', [{ status: 503 }, { status: 429, headers: { 'retry-after': '1' } }, { status: 200 }]);
    const { endpoint } = await registry.create({ format: 'segment', url: receiver.url('/flaky/v1/batch'), writeKey: WRITE_KEY, mapping: { play: 'Video Playback Started', share: 'Video Shared' } });
    startWorker();
    const result = await ingest.ingest([ev('play'), ev('share'), ev('complete')], { trusted: true });
    await settled();
    const hits = receiver.at('/flaky/v1/batch');
    expect(hits).toHaveLength(3);
    const ids = hits.map((h) => collected(h).batch.map((c) => c.messageId));
    expect(ids[0]).toEqual(result.events.slice(0, 2).map((e) => `mastercut-${e.id}`));
    expect(ids[1]).toEqual(ids[0]);
    expect(ids[2]).toEqual(ids[0]);
    // The 429's Retry-After (1 s) wins over the 300 ms schedule.
    expect(hits[2]!.at - hits[1]!.at).toBeGreaterThanOrEqual(950);

    const replay = await replayWebhookEvents({ redis, queue }, endpoint.id, { eventIds: [result.events[0]!.id] });
    expect(replay).toMatchObject({ jobs: 1, events: 1, notFound: [] });
    await settled();
    const again = receiver.at('/flaky/v1/batch');
    expect(again).toHaveLength(4);
    expect(collected(again[3]!).batch.map((c) => c.messageId)).toEqual([ids[0]![0]]);
  });

  it('disables the destination on 410 Gone; the message waits in the dead letters for a replay', async () => {
    receiver.script('/gone/v1/batch', [{ status: 410 }, { status: 200 }]);
    const { endpoint } = await registry.create({ format: 'segment', url: receiver.url('/gone/v1/batch'), writeKey: WRITE_KEY });
    startWorker();
    const first = await ingest.ingest([ev('play')], { trusted: true });
    await settled();
    expect(await registry.get(endpoint.id)).toMatchObject({ enabled: false, disabledReason: expect.stringMatching(/410/) });
    const [letter] = await listWebhookDeadLetters(redis, { endpointId: endpoint.id });
    expect(letter).toMatchObject({ status: 410, events: [expect.objectContaining({ id: first.events[0]!.id })] });
    // Disabled: the next events are not sent at all.
    await ingest.ingest([ev('complete')], { trusted: true });
    await settled();
    expect(receiver.at('/gone/v1/batch')).toHaveLength(1);

    await registry.enable(endpoint.id);
    await replayWebhookEvents({ redis, queue }, endpoint.id, { eventIds: [first.events[0]!.id] });
    await settled();
    const hits = receiver.at('/gone/v1/batch');
    expect(hits).toHaveLength(2);
    expect(collected(hits[1]!).batch.map((c) => c.messageId)).toEqual([`mastercut-${first.events[0]!.id}`]);
  });

  it('refuses a write-key rotation without a key, a mapping on a plain webhook, and unknown event types', async () => {
    const { endpoint } = await registry.create({ format: 'segment', url: receiver.url('/x/v1/batch'), writeKey: WRITE_KEY });
    await expect(registry.rotateSecret(endpoint.id, {})).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const rotated = await registry.rotateSecret(endpoint.id, { secret: 'wk_new_key_0001' });
    expect(rotated.secret).toBe('wk_new_key_0001');
    expect(rotated.endpoint.secrets[0]!.hint).toBe('wk_n…');
    await expect(registry.update(endpoint.id, { events: ['play'] })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const updated = await registry.update(endpoint.id, { mapping: { conversion: 'Order Completed' } });
    expect(updated).toMatchObject({ events: ['conversion'], mapping: { conversion: 'Order Completed' } });
    const plain = await registry.create({ url: receiver.url('/plain'), events: ['play'] });
    await expect(registry.update(plain.endpoint.id, { mapping: { play: 'x' } })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(registry.create({ format: 'segment', url: receiver.url('/y'), writeKey: WRITE_KEY, mapping: { opened: 'Email Opened' } })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
