/**
 * Webhook fan-out benchmark (prints figures; not a test).
 *
 *   npx tsx bench/webhook-fanout.ts [endpoints=10] [events=20000] [batch=100] [concurrency=32]
 *
 * Starts a private redis-server, a loopback receiver answering 200, and
 * registers `endpoints` endpoints subscribed to every type. Dispatches
 * `events` engagement events in batches of `batch` through the real
 * dispatcher, `webhooks` queue and worker (signing, URL checks, pinned
 * connections included), and waits until every endpoint got every event.
 * Prints deliveries/s, events/s delivered and the p50/p99 delivery latency
 * (batch dispatched -> body received).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Queue } from 'bullmq';
import { startEmbeddedRedis } from '../src/cli/embedded-redis.js';
import type { EngagementEvent } from '../src/engagement/index.js';
import { createWebhookDispatcher, createWebhookRegistry, createWebhookWorker, type WebhookJobData } from '../src/engagement/webhooks/index.js';
import { closeRedisConnection, createRedisConnection, QUEUE_PREFIX } from '../src/queue/index.js';

export interface WebhookFanoutOptions {
  endpoints?: number;
  events?: number;
  batchSize?: number;
  /** Worker concurrency (deliveries in flight). */
  concurrency?: number;
}

export interface WebhookFanoutFigures {
  endpoints: number;
  events: number;
  batchSize: number;
  concurrency: number;
  deliveries: number;
  eventsDelivered: number;
  seconds: number;
  deliveriesPerSecond: number;
  eventsPerSecond: number;
  p50LatencyMs: number;
  p99LatencyMs: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Runs the fan-out once and returns its figures. */
export async function benchWebhookFanout(options: WebhookFanoutOptions = {}): Promise<WebhookFanoutFigures> {
  const endpoints = options.endpoints ?? 10;
  const total = options.events ?? 20_000;
  const batchSize = options.batchSize ?? 100;
  const concurrency = options.concurrency ?? 32;
  const server = await startEmbeddedRedis();
  const redis = createRedisConnection(server.url);
  const dispatchedAt = new Map<string, number>();
  const latencies: number[] = [];
  let deliveries = 0;
  let eventsDelivered = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { events: EngagementEvent[] };
      deliveries++;
      eventsDelivered += body.events.length;
      latencies.push(Date.now() - dispatchedAt.get(body.events[0]!.id)!);
      res.writeHead(204).end();
      if (eventsDelivered >= endpoints * total) done();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const port = (receiver.address() as AddressInfo).port;
  const queue = new Queue<WebhookJobData>('webhooks-bench', { connection: redis, prefix: QUEUE_PREFIX });
  const policy = { allowHttp: true, allowPrivateAddresses: true };
  const worker = createWebhookWorker({ redis, policy, retryScheduleMs: [100, 200, 400] }, { connection: redis, queueName: queue.name, concurrency });
  try {
    const registry = createWebhookRegistry(redis, { policy });
    for (let i = 0; i < endpoints; i++) await registry.create({ url: `http://127.0.0.1:${port}/crm/${i}`, events: ['*'] });
    const dispatch = createWebhookDispatcher({ redis, queue }, { retryScheduleMs: [100, 200, 400] });
    worker.run();
    const started = performance.now();
    for (let n = 0; n < total; n += batchSize) {
      const batch: EngagementEvent[] = [];
      for (let i = n; i < Math.min(total, n + batchSize); i++) {
        batch.push({ id: `evt_${String(i).padStart(10, '0')}`, type: 'play', campaignId: 'bench', recipientId: `r-${i}`, channel: 'email', templateId: 'reference', ts: Date.now(), meta: {}, bot: false });
      }
      dispatchedAt.set(batch[0]!.id, Date.now());
      await dispatch(batch);
    }
    await finished;
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    return {
      endpoints,
      events: total,
      batchSize,
      concurrency,
      deliveries,
      eventsDelivered,
      seconds: Math.round(seconds * 100) / 100,
      deliveriesPerSecond: Math.round(deliveries / seconds),
      eventsPerSecond: Math.round(eventsDelivered / seconds),
      p50LatencyMs: percentile(latencies, 50),
      p99LatencyMs: percentile(latencies, 99),
    };
  } finally {
    await worker.shutdown(0);
    await queue.close();
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
    await closeRedisConnection(redis);
    await server.destroy();
  }
}

/** The figures as printed lines (also printed by bench/events.ts). */
export function formatWebhookFanout(f: WebhookFanoutFigures): string {
  return [
    `webhook fan-out: ${f.endpoints} endpoints x ${f.events} events in batches of ${f.batchSize}, worker concurrency ${f.concurrency}`,
    `  ${f.deliveries} deliveries, ${f.eventsDelivered} events delivered in ${f.seconds} s`,
    `  ${f.deliveriesPerSecond} deliveries/s, ${f.eventsPerSecond} events/s delivered`,
    `  delivery latency (dispatch -> received): p50 ${f.p50LatencyMs} ms, p99 ${f.p99LatencyMs} ms`,
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const [endpoints, events, batchSize, concurrency] = process.argv.slice(2).map(Number);
  console.log(formatWebhookFanout(await benchWebhookFanout({ endpoints, events, batchSize, concurrency })));
}
