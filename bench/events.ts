/**
 * Engagement ingestion benchmark (prints figures; not a test).
 *
 *   npx tsx bench/events.ts [seconds=10] [clients=8] [batch=100]
 *
 * Starts its own redis-server and an HTTP server with the production
 * `POST /v1/events` router (src/api/routes/event-routes.ts, API-key path),
 * then a load generator in a child process (so it never shares the
 * server's event loop): `clients` concurrent keep-alive connections, each
 * posting JSON batches of `batch` distinct events (mixed types, 3 channels,
 * 5,000 recipients) back to back for `seconds`. Prints the sustained rate
 * and request latency, then checks in Redis that every accepted event was
 * aggregated: counter sums == accepted, stream length == accepted, exact
 * uniques == the generator's own count, HyperLogLogs within 2%.
 * Target (issue 6): >= 5,000 events/s on the 2-core machine, lost: 0.
 * Then runs bench/webhook-fanout.ts with its defaults and prints the
 * delivery rate to a loopback receiver.
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Redis } from 'ioredis';
import { errorHandler } from '../src/http/index.js';
import { createEventRoutes } from '../src/api/routes/event-routes.js';
import { startEmbeddedRedis } from '../src/cli/embedded-redis.js';
import { createEventIngest, engagementKeys, EVENTS_STREAM_KEY, INTERACTION_EVENT_TYPES } from '../src/engagement/index.js';
import { pino } from 'pino';
import { benchWebhookFanout, formatWebhookFanout } from './webhook-fanout.js';

const KEY = 'bench-key';
const CAMPAIGN = 'cmp-bench';
const CHANNELS = ['email', 'web', 'sms'];
const RECIPIENTS = 5_000;

interface ClientReport {
  requests: number;
  failures: number;
  accepted: number;
  seconds: number;
  latenciesMs: number[];
  /** Per channel|type, the recipients the generator sent (for the exact check). */
  uniques: Record<string, number>;
}

async function runClient(): Promise<void> {
  const { url, seconds, clients, batch } = JSON.parse(process.argv[3]!) as { url: string; seconds: number; clients: number; batch: number };
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const target = new URL(url);
  const seen = new Map<string, Set<number>>();
  let serial = 0;
  const now = Date.now();
  const body = (): string => {
    const parts: string[] = [];
    for (let i = 0; i < batch; i++) {
      const n = serial++;
      const recipient = (n * 7919) % RECIPIENTS;
      const channel = CHANNELS[n % 3]!;
      const type = INTERACTION_EVENT_TYPES[(n >> 2) % INTERACTION_EVENT_TYPES.length]!;
      const k = `${channel}|${type}`;
      (seen.get(k) ?? seen.set(k, new Set()).get(k)!).add(recipient);
      parts.push(
        `{"id":"bench${process.pid}x${n}","type":"${type}","campaignId":"${CAMPAIGN}","recipientId":"m${recipient}","channel":"${channel}","templateId":"year-recap","ts":${now - n},"meta":{}}`,
      );
    }
    return `{"events":[${parts.join(',')}]}`;
  };
  const post = (payload: string) =>
    new Promise<{ status: number; accepted: number }>((resolve, reject) => {
      const req = http.request(
        { agent, host: target.hostname, port: target.port, path: '/v1/events', method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, accepted: res.statusCode === 202 ? (JSON.parse(text) as { accepted: number }).accepted : 0 }));
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  const report: ClientReport = { requests: 0, failures: 0, accepted: 0, seconds, latenciesMs: [], uniques: {} };
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < until) {
        const payload = body();
        const t = performance.now();
        const res = await post(payload).catch(() => ({ status: 0, accepted: 0 }));
        report.latenciesMs.push(performance.now() - t);
        report.requests++;
        if (res.status !== 202) report.failures++;
        report.accepted += res.accepted;
      }
    }),
  );
  report.seconds = (performance.now() - started) / 1000;
  for (const [k, set] of seen) report.uniques[k] = set.size;
  process.send!(report);
  agent.destroy();
}

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 10);
  const clients = Number(process.argv[3] ?? 8);
  const batch = Number(process.argv[4] ?? 100);
  const redisServer = await startEmbeddedRedis();
  const redis = new Redis(redisServer.url);
  const logger = pino({ level: 'warn' });
  const ingest = createEventIngest({ redis, logger }, { streamMaxLen: 100_000_000 });
  const app = express();
  app.use('/v1/events', createEventRoutes({ ingest, redis, apiKeys: [KEY] }, { maxBodyBytes: 1024 * 1024, maxEvents: 1000 }));
  app.use(errorHandler(logger));
  const server = http.createServer(app).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  console.log(`ingestion: ${clients} clients x batches of ${batch} events for ${seconds} s over loopback HTTP (API-key path)`);
  const child = fork(new URL(import.meta.url).pathname, ['--client', JSON.stringify({ url, seconds, clients, batch })], { execArgv: process.execArgv });
  const report = await new Promise<ClientReport>((resolve, reject) => {
    child.once('message', (m) => resolve(m as ClientReport));
    child.once('error', reject);
  });
  child.kill();
  const lat = report.latenciesMs.sort((a, b) => a - b);
  const pct = (p: number) => lat[Math.max(0, Math.ceil((p / 100) * lat.length) - 1)]!.toFixed(1);
  console.log(`requests: ${report.requests} (${report.failures} failed), events accepted: ${report.accepted}`);
  console.log(`sustained: ${Math.round(report.accepted / report.seconds)} events/s (target >= 5000)`);
  console.log(`latency per request: p50 ${pct(50)} ms, p99 ${pct(99)} ms, max ${lat[lat.length - 1]!.toFixed(1)} ms`);

  // Every accepted event must be in every aggregate.
  const keys = engagementKeys(CAMPAIGN);
  const counts = await redis.hgetall(keys.counts);
  const counted = Object.values(counts).reduce((sum, v) => sum + Number(v), 0);
  const streamLength = await redis.xlen(EVENTS_STREAM_KEY);
  const uniques = await redis.hgetall(keys.uniques);
  let uniqueMismatches = 0;
  let worstHll = 0;
  for (const [k, expected] of Object.entries(report.uniques)) {
    if (Number(uniques[k] ?? 0) !== expected) uniqueMismatches++;
    const [channel, type] = k.split('|') as [string, string];
    const hll = await redis.pfcount(keys.hll(channel, type));
    worstHll = Math.max(worstHll, Math.abs(hll - expected) / expected);
  }
  const lost = report.accepted - Math.min(counted, streamLength);
  console.log(`check: counters sum ${counted}, stream length ${streamLength}, exact uniques ${uniqueMismatches === 0 ? 'all equal' : `${uniqueMismatches} differ`}, worst HLL error ${(worstHll * 100).toFixed(2)}%`);
  console.log(`lost: ${lost}${counted !== report.accepted || streamLength !== report.accepted || uniqueMismatches > 0 || worstHll > 0.02 ? '  (CHECK FAILED)' : ''}`);

  server.close();
  redis.disconnect();
  await redisServer.destroy();

  // Webhook fan-out: the delivery rate to a loopback receiver (its own redis, queue and worker).
  console.log(formatWebhookFanout(await benchWebhookFanout()));
}

if (process.argv[2] === '--client') await runClient();
else await main();
