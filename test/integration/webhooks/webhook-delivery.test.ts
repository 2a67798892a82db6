import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EngagementEvent, InteractionEventType } from '../../../src/engagement/index.js';
import {
  createWebhookDispatcher,
  createWebhookRegistry,
  createWebhookWorker,
  listRecentWebhookFailures,
  listWebhookDeadLetters,
  replayWebhookEvents,
  verifyWebhookSignature,
  webhookJobId,
  type WebhookDeliveryOutcome,
  type WebhookJobData,
  type WebhookRegistry,
  type WebhookWorker,
  type WebhookWorkerDeps,
} from '../../../src/engagement/webhooks/index.js';
import { closeRedisConnection, createRedisConnection, QUEUE_PREFIX } from '../../../src/queue/index.js';
import { startTestRedis, type EmbeddedRedis } from '../../helpers/redis-server.js';
import { startWebhookReceiver } from './webhook-receiver.js';

const SCHEDULE = [300, 300, 300];
const policy = { allowHttp: true, allowPrivateAddresses: true };

let server: EmbeddedRedis;
let redis: Redis;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let queue: Queue<WebhookJobData>;
let worker: WebhookWorker | undefined;
let registry: WebhookRegistry;
let outcomes: WebhookDeliveryOutcome[];
let dispatch: ReturnType<typeof createWebhookDispatcher>;

function event(type: InteractionEventType = 'cta_click', id = `evt_${randomUUID().slice(0, 12)}`): EngagementEvent {
  return { id, type, campaignId: 'spring', recipientId: 'r-1', channel: 'email', templateId: 'year-recap', ts: Date.now(), meta: {}, bot: false };
}

function startWorker(overrides: Partial<WebhookWorkerDeps> = {}) {
  worker = createWebhookWorker(
    { redis, policy, retryScheduleMs: SCHEDULE, onDelivery: (o) => outcomes.push(o), ...overrides },
    { connection: redis, queueName: queue.name, concurrency: 4, stalledIntervalMs: 5_000 },
  );
  worker.worker.on('error', () => undefined);
  worker.run();
}

async function settle(jobId: string, timeoutMs = 20_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const state = await queue.getJobState(jobId);
    if (state === 'completed' || state === 'failed') return state;
    if (Date.now() > until) throw new Error(`job ${jobId} still ${state}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function body(i: number, path: string) {
  return JSON.parse(receiver.at(path)[i]!.body) as { type: string; events: EngagementEvent[] };
}

function verify(i: number, path: string, secret: string | string[]) {
  const r = receiver.at(path)[i]!;
  return verifyWebhookSignature({
    secret,
    id: String(r.headers['webhook-id']),
    timestamp: String(r.headers['webhook-timestamp']),
    signature: String(r.headers['webhook-signature']),
    body: r.body,
  });
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
  outcomes = [];
  queue = new Queue<WebhookJobData>(`webhooks-${randomUUID().slice(0, 8)}`, { connection: redis, prefix: QUEUE_PREFIX });
  registry = createWebhookRegistry(redis, { policy });
  dispatch = createWebhookDispatcher({ redis, queue }, { retryScheduleMs: SCHEDULE });
});
afterEach(async () => {
  await worker?.shutdown(0);
  worker = undefined;
  await queue.close();
});

describe('webhook delivery', () => {
  it('retries a failing receiver on the schedule; every attempt is signed, with the same webhook-id', async () => {
    receiver.script('/retry', [{ status: 500 }, { status: 500 }, { status: 200 }]);
    const { endpoint, secret } = await registry.create({ url: receiver.url('/retry'), events: ['cta_click', 'play'] });
    startWorker();
    const batch = [event('cta_click'), event('play'), event('impression')];
    await dispatch(batch);
    const jobId = webhookJobId(endpoint.id, [batch[0]!.id, batch[1]!.id]);
    expect(await settle(jobId)).toBe('completed');

    const hits = receiver.at('/retry');
    expect(hits).toHaveLength(3);
    expect(new Set(hits.map((h) => h.headers['webhook-id'])).size).toBe(1);
    for (let i = 0; i < 3; i++) {
      expect(verify(i, '/retry', secret)).toMatchObject({ ok: true });
      // Only the subscribed types, with their ids.
      expect(body(i, '/retry')).toEqual({ type: 'engagement.batch', events: [batch[0], batch[1]] });
    }
    // The waits follow the schedule (300 ms each here): never earlier.
    expect(hits[1]!.at - hits[0]!.at).toBeGreaterThanOrEqual(250);
    expect(hits[2]!.at - hits[1]!.at).toBeGreaterThanOrEqual(250);
    expect(outcomes.map((o) => [o.attempt, o.ok, o.status])).toEqual([[1, false, 500], [2, false, 500], [3, true, 200]]);
    const stats = (await registry.get(endpoint.id)).stats;
    expect(stats).toMatchObject({ consecutiveFailures: 0, failingSince: null, delivered: 1, failed: 2, lastFailure: { status: 500, errorClass: 'http_status' } });
    expect(stats.lastSuccessAt).toBeGreaterThan(0);

    // A retried ingest (the same batch again) is not sent twice.
    await dispatch(batch);
    expect(await queue.getJobCounts('waiting', 'delayed', 'active', 'completed')).toMatchObject({ completed: 1, waiting: 0, delayed: 0, active: 0 });
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.at('/retry')).toHaveLength(3);
  });

  it('honours Retry-After on 429 instead of the schedule', async () => {
    receiver.script('/limited', [{ status: 429, headers: { 'retry-after': '1' } }, { status: 200 }]);
    const { endpoint } = await registry.create({ url: receiver.url('/limited'), events: ['*'] });
    startWorker();
    const batch = [event()];
    await dispatch(batch);
    expect(await settle(webhookJobId(endpoint.id, [batch[0]!.id]))).toBe('completed');
    const hits = receiver.at('/limited');
    expect(hits).toHaveLength(2);
    expect(hits[1]!.at - hits[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('stops on a 400 and dead-letters the message', async () => {
    receiver.script('/refuse', [{ status: 400 }, { status: 200 }]);
    const { endpoint } = await registry.create({ url: receiver.url('/refuse'), events: ['*'] });
    startWorker();
    const batch = [event()];
    await dispatch(batch);
    expect(await settle(webhookJobId(endpoint.id, [batch[0]!.id]))).toBe('failed');
    await new Promise((r) => setTimeout(r, 700));
    expect(receiver.at('/refuse')).toHaveLength(1);
    const [letter] = await listWebhookDeadLetters(redis, { endpointId: endpoint.id });
    expect(letter).toMatchObject({ status: 400, errorClass: 'http_status', attempts: 1, events: batch });
    const [failure] = await listRecentWebhookFailures(redis, { limit: 5 });
    expect(failure).toMatchObject({ endpointId: endpoint.id, status: 400, state: 'dead', willRetry: false, events: 1, url: receiver.url('/refuse') });
    expect((await registry.get(endpoint.id)).enabled).toBe(true);
  });

  it('disables the endpoint on 410 Gone: no further jobs are dispatched to it', async () => {
    receiver.script('/gone', [{ status: 410 }]);
    receiver.script('/other', [{ status: 200 }]);
    const gone = (await registry.create({ url: receiver.url('/gone'), events: ['*'] })).endpoint;
    const other = (await registry.create({ url: receiver.url('/other'), events: ['*'] })).endpoint;
    startWorker();
    const first = [event()];
    await dispatch(first);
    expect(await settle(webhookJobId(gone.id, [first[0]!.id]))).toBe('failed');
    expect(await registry.get(gone.id)).toMatchObject({ enabled: false, disabledReason: expect.stringMatching(/410/) });
    expect((await listRecentWebhookFailures(redis, { endpointId: gone.id }))[0]).toMatchObject({ status: 410, state: 'disabled' });

    const second = [event()];
    await dispatch(second);
    expect(await queue.getJob(webhookJobId(gone.id, [second[0]!.id]))).toBeUndefined();
    expect(await settle(webhookJobId(other.id, [second[0]!.id]))).toBe('completed');
    expect(receiver.at('/gone')).toHaveLength(1);

    // Enabling it again clears the failure run and lets batches through.
    const enabled = await registry.enable(gone.id);
    expect(enabled).toMatchObject({ enabled: true, disabledReason: null, stats: { consecutiveFailures: 0, failingSince: null } });
  });

  it('disables an endpoint that keeps failing longer than the window', async () => {
    receiver.script('/down', [{ status: 503 }]);
    const { endpoint } = await registry.create({ url: receiver.url('/down'), events: ['*'] });
    startWorker({ disableAfterMs: 100 });
    const batch = [event()];
    await dispatch(batch);
    expect(await settle(webhookJobId(endpoint.id, [batch[0]!.id]))).toBe('failed');
    expect(receiver.at('/down')).toHaveLength(2);
    expect(await registry.get(endpoint.id)).toMatchObject({ enabled: false, disabledReason: expect.stringMatching(/failing continuously/) });
    expect((await listRecentWebhookFailures(redis, { endpointId: endpoint.id }))[0]).toMatchObject({ errorClass: 'failing_too_long', state: 'disabled' });
  });

  it('dead-letters exhausted deliveries; a replay by event id sends them again with their ids', async () => {
    receiver.script('/flaky', [{ status: 500 }]);
    const { endpoint, secret } = await registry.create({ url: receiver.url('/flaky'), events: ['*'] });
    startWorker();
    const batch = [event('complete'), event('share')];
    await dispatch(batch);
    expect(await settle(webhookJobId(endpoint.id, batch.map((e) => e.id)))).toBe('failed');
    expect(receiver.at('/flaky')).toHaveLength(SCHEDULE.length + 1);
    const letters = await listWebhookDeadLetters(redis, { endpointId: endpoint.id });
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ attempts: 4, status: 500, events: batch });

    receiver.script('/flaky', [{ status: 200 }]);
    const result = await replayWebhookEvents({ redis, queue }, endpoint.id, { eventIds: [batch[1]!.id, 'evt_unknown_1'] }, { retryScheduleMs: SCHEDULE });
    expect(result).toEqual({ jobs: 1, events: 1, truncated: false, notFound: ['evt_unknown_1'] });
    await receiver.waitFor(5, '/flaky');
    const replayed = receiver.at('/flaky')[4]!;
    expect(JSON.parse(replayed.body).events).toEqual([batch[1]]);
    expect(replayed.headers['webhook-id']).not.toBe(receiver.at('/flaky')[0]!.headers['webhook-id']);
    expect(verify(4, '/flaky', secret).ok).toBe(true);
  });

  it('replays by time range from the events stream, keeping ids, only the subscribed types', async () => {
    const { endpoint } = await registry.create({ url: receiver.url('/range'), events: ['play', 'complete'] });
    startWorker();
    const before = Date.now();
    const stored = [event('play'), event('impression'), event('complete'), { ...event('play'), bot: true }];
    // The layout ingestion writes: one entry per event, its JSON under field `e`.
    for (const e of stored) await redis.xadd('{mastercut}:events', '*', 'e', JSON.stringify(e));
    const after = Date.now();
    await redis.xadd('{mastercut}:events', `${after + 60_000}-0`, 'e', JSON.stringify(event('play')));

    const result = await replayWebhookEvents({ redis, queue }, endpoint.id, { from: before, to: new Date(after).toISOString() }, { retryScheduleMs: SCHEDULE });
    expect(result).toMatchObject({ jobs: 1, events: 2 });
    await receiver.waitFor(1, '/range');
    expect(JSON.parse(receiver.at('/range')[0]!.body).events.map((e: EngagementEvent) => e.id)).toEqual([stored[0]!.id, stored[2]!.id]);
  });

  it('signs with both secrets during a rotation; each verifies with its own secret', async () => {
    const { endpoint, secret: oldSecret } = await registry.create({ url: receiver.url('/rotate'), events: ['*'] });
    const rotated = await createWebhookRegistry(redis, { policy, secretOverlapMs: 60_000 }).rotateSecret(endpoint.id);
    expect(rotated.secret).not.toBe(oldSecret);
    expect(rotated.endpoint.secrets).toHaveLength(2);
    expect(rotated.endpoint.secrets[1]!.expiresAt).toBeGreaterThan(Date.now());
    startWorker();
    await dispatch([event()]);
    await receiver.waitFor(1, '/rotate');
    const signatures = String(receiver.at('/rotate')[0]!.headers['webhook-signature']).split(' ');
    expect(signatures).toHaveLength(2);
    expect(verify(0, '/rotate', rotated.secret)).toMatchObject({ ok: true, index: 0 });
    expect(verify(0, '/rotate', oldSecret)).toMatchObject({ ok: true, index: 1 });

    // With no overlap the old secret stops signing at once.
    const hard = await createWebhookRegistry(redis, { policy, secretOverlapMs: 0 }).rotateSecret(endpoint.id);
    await dispatch([event()]);
    await receiver.waitFor(2, '/rotate');
    expect(String(receiver.at('/rotate')[1]!.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(verify(1, '/rotate', hard.secret).ok).toBe(true);
    expect(verify(1, '/rotate', oldSecret)).toMatchObject({ ok: false, reason: 'no_match' });
  });

  it('refuses at delivery a host that now resolves to a private address (DNS changed)', async () => {
    const table: Record<string, string> = { 'crm.test': '93.184.216.34' };
    const lookup = async (host: string) => [{ address: table[host]!, family: 4 }];
    const strict = { allowHttp: true, allowPrivateAddresses: false };
    const { endpoint } = await createWebhookRegistry(redis, { policy: strict, lookup }).create({ url: 'http://crm.test/hook', events: ['*'] });
    table['crm.test'] = '10.0.0.7';
    startWorker({ policy: strict, lookup });
    const batch = [event()];
    await dispatch(batch);
    expect(await settle(webhookJobId(endpoint.id, [batch[0]!.id]))).toBe('failed');
    expect((await listWebhookDeadLetters(redis, { endpointId: endpoint.id }))[0]).toMatchObject({ errorClass: 'forbidden_address' });
    expect(outcomes).toEqual([expect.objectContaining({ ok: false, attempt: 1 })]);
  });
});
