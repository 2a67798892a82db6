import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import express from 'express';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyAuth } from '../../../src/api/middleware/api-key-auth.js';
import { errorHandler } from '../../../src/http/index.js';
import { jsonBody } from '../../../src/api/middleware/json-body.js';
import { createWebhookRouter } from '../../../src/api/routes/webhook-routes.js';
import { createWebhookRegistry, replayWebhookEvents, type WebhookJobData } from '../../../src/engagement/webhooks/index.js';
import { closeRedisConnection, createRedisConnection, QUEUE_PREFIX } from '../../../src/queue/index.js';
import { startTestRedis, type EmbeddedRedis } from '../../helpers/redis-server.js';

const KEY = 'webhook-test-key-0123456789';
let server: EmbeddedRedis;
let redis: Redis;
let queue: Queue<WebhookJobData>;
let api: http.Server;
let base = '';

/** Public names resolve to a public address, `evil.test` to the metadata service. */
const lookup = async (host: string) => [{ address: host === 'evil.test' ? '169.254.169.254' : '93.184.216.34', family: 4 }];

async function call(path: string, init: RequestInit & { json?: unknown; auth?: boolean } = {}) {
  const headers: Record<string, string> = {};
  if (init.auth !== false) headers.authorization = `Bearer ${KEY}`;
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${path}`, { ...init, headers, body: init.json === undefined ? undefined : JSON.stringify(init.json) });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, any>) : null };
}

beforeAll(async () => {
  server = await startTestRedis();
  redis = createRedisConnection(server.url);
  queue = new Queue<WebhookJobData>('webhooks-routes', { connection: redis, prefix: QUEUE_PREFIX });
  const app = express();
  // Mounted as createApp mounts it: API key, then the JSON parser.
  app.use(
    '/v1/webhooks',
    apiKeyAuth([KEY]),
    jsonBody(),
    createWebhookRouter({
      registry: createWebhookRegistry(redis, { policy: { allowHttp: false, allowPrivateAddresses: false }, lookup }),
      replay: (id, body) => replayWebhookEvents({ redis, queue }, id, body),
      redis,
    }),
  );
  app.use(errorHandler(pino({ level: 'silent' }), redis));
  api = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => api.once('listening', resolve));
  base = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => api.close(resolve));
  await queue.close();
  await closeRedisConnection(redis);
  await server.destroy();
});

describe('/v1/webhooks', () => {
  it('needs the API key', async () => {
    expect((await call('/v1/webhooks', { auth: false })).status).toBe(401);
  });

  it('registers an endpoint, shows its secret once, and never lists it in clear', async () => {
    const created = await call('/v1/webhooks', { method: 'POST', json: { url: 'https://crm.example.com/hooks', events: ['cta_click', 'share'], description: 'CRM' } });
    expect(created.status).toBe(201);
    const secret = created.body!.secret as string;
    expect(secret).toMatch(/^whsec_/);
    const id = created.body!.id as string;
    expect(created.body).toMatchObject({ url: 'https://crm.example.com/hooks', events: ['cta_click', 'share'], enabled: true, description: 'CRM' });

    const listed = await call('/v1/webhooks');
    expect(listed.body!.endpoints).toHaveLength(1);
    expect(JSON.stringify(listed.body)).not.toContain(secret.slice(10));
    expect(listed.body!.endpoints[0].secrets[0].hint).toBe(`${secret.slice(0, 10)}…`);
    expect(JSON.stringify((await call(`/v1/webhooks/${id}`)).body)).not.toContain(secret.slice(10));

    const patched = await call(`/v1/webhooks/${id}`, { method: 'PATCH', json: { events: ['*'], enabled: false } });
    expect(patched.body).toMatchObject({ events: ['*'], enabled: false, disabledReason: 'disabled by an operator' });
    expect((await call(`/v1/webhooks/${id}/enable`, { method: 'POST' })).body).toMatchObject({ enabled: true });

    const given = `whsec_${Buffer.alloc(24, 1).toString('base64')}`;
    const rotated = await call(`/v1/webhooks/${id}/rotate-secret`, { method: 'POST', json: { secret: given } });
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({ secret: given });
    expect(rotated.body!.secrets).toHaveLength(2);

    expect((await call(`/v1/webhooks/${id}/replay`, { method: 'POST', json: { from: 0 } })).body).toEqual({ jobs: 0, events: 0, truncated: false, notFound: [] });
    expect((await call(`/v1/webhooks/${id}/replay`, { method: 'POST', json: { when: 'yesterday' } })).status).toBe(400);
    expect((await call(`/v1/webhooks/${id}/failures`)).body).toEqual({ failures: [] });

    expect((await call(`/v1/webhooks/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await call(`/v1/webhooks/${id}`)).status).toBe(404);
    expect((await call(`/v1/webhooks/${id}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('registers a CDP destination: the write key shown once, the Segment spec names as the default mapping', async () => {
    const created = await call('/v1/webhooks', { method: 'POST', json: { format: 'segment', url: 'https://api.segment.example/v1/batch', writeKey: 'wk_live_abcdefgh' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ format: 'segment', secret: 'wk_live_abcdefgh', mapping: { complete: 'Video Playback Completed', conversion: 'Order Completed', cta_click: 'CTA Clicked' } });
    expect(created.body!.events).toEqual(Object.keys(created.body!.mapping));
    const shown = await call(`/v1/webhooks/${created.body!.id}`);
    expect(JSON.stringify(shown.body)).not.toContain('abcdefgh');
    expect(shown.body!.secrets[0].hint).toBe('wk_l…');
    expect((await call(`/v1/webhooks/${created.body!.id}`, { method: 'DELETE' })).status).toBe(204);
  });

  it('refuses bad endpoints with the reason', async () => {
    const http = await call('/v1/webhooks', { method: 'POST', json: { url: 'http://crm.example.com/h', events: ['*'] } });
    expect(http.status).toBe(400);
    expect(http.body!.issues[0]).toMatchObject({ path: 'url', message: expect.stringMatching(/https only/) });
    const metadata = await call('/v1/webhooks', { method: 'POST', json: { url: 'https://evil.test/h', events: ['*'] } });
    expect(metadata.status).toBe(400);
    expect(metadata.body!.issues[0].message).toMatch(/169\.254\.169\.254.*link-local/);
    const badSecret = await call('/v1/webhooks', { method: 'POST', json: { url: 'https://crm.example.com/h', events: ['*'], secret: 'hunter2' } });
    expect(badSecret.body!.issues[0]).toMatchObject({ path: 'secret' });
    const badEvents = await call('/v1/webhooks', { method: 'POST', json: { url: 'https://crm.example.com/h', events: ['opened'] } });
    expect(badEvents.status).toBe(400);
    // A CDP destination goes through the same guard.
    const cdpMetadata = await call('/v1/webhooks', { method: 'POST', json: { format: 'segment', url: 'https://evil.test/v1/batch', writeKey: 'wk_1234' } });
    expect(cdpMetadata.status).toBe(400);
    expect(cdpMetadata.body!.issues[0]).toMatchObject({ path: 'url' });
    const noKey = await call('/v1/webhooks', { method: 'POST', json: { format: 'segment', url: 'https://api.segment.example/v1/batch' } });
    expect(noKey.body!.issues[0]).toMatchObject({ path: 'writeKey' });
    expect((await call('/v1/webhooks/not-an-id')).status).toBe(400);
    expect((await call('/v1/webhooks/ep_AAAAAAAAAAAAAAAAAAAA')).status).toBe(404);
  });
});
