import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../../src/api/main.js';
import { loadConfig } from '../../../src/config/index.js';
import { generateWebhookSecret, signWebhook, verifyWebhookSignature } from '../../../src/engagement/index.js';
import { createRecipientConnector } from '../../../src/recipients/index.js';
import { createFarmProbe, type FarmProbe } from '../../helpers/live-farm.js';
import { startTestRedis, type EmbeddedRedis } from '../../helpers/redis-server.js';
import { TEST_LIVE_KEYS } from '../../helpers/worker-process.js';

/**
 * Issue 18 (the data spine), pull connectors: sticky links read a local CRM
 * server (which counts calls and checks every signature) through the real
 * API and a real Redis. No render worker: one render job queued is the
 * "one render" (the worker side is the sticky e2e's).
 */

const API_KEY = 'connector-key';
const SECRET = generateWebhookSecret();
let redis: EmbeddedRedis;
let dir: string;
let api: ApiServer;
let probe: FarmProbe;

/** The CRM: profiles by id, a switch to fail, a counter, and the signature check of every request. */
const crm = {
  profiles: new Map<string, unknown>(),
  down: false,
  calls: new Map<string, number>(),
  badSignatures: 0,
  server: undefined as http.Server | undefined,
  url: '',
};

function startCrm(): Promise<void> {
  crm.server = http.createServer((req, res) => {
    const id = decodeURIComponent((req.url ?? '').replace(/^\/crm\//, ''));
    crm.calls.set(id, (crm.calls.get(id) ?? 0) + 1);
    const verdict = verifyWebhookSignature({
      secret: SECRET,
      id: String(req.headers['webhook-id']),
      timestamp: String(req.headers['webhook-timestamp']),
      signature: String(req.headers['webhook-signature']),
      body: req.url ?? '',
    });
    if (!verdict.ok) crm.badSignatures++;
    // Slow enough that 200 opens are all in flight together.
    setTimeout(() => {
      if (crm.down) return res.writeHead(500).end('down');
      const profile = crm.profiles.get(id);
      if (profile === undefined) return res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(profile));
    }, 200);
  });
  crm.server.listen(0, '127.0.0.1');
  return once(crm.server, 'listening').then(() => {
    crm.url = `http://127.0.0.1:${(crm.server!.address() as AddressInfo).port}/crm`;
  });
}

const env = (extra: Record<string, string> = {}) =>
  loadConfig({
    NODE_ENV: 'test',
    REDIS_URL: redis.url,
    API_KEYS: API_KEY,
    STORAGE_ROOT: path.join(dir, 'storage'),
    MASTERCUT_CACHE_DIR: '.cache/test',
    LIVE_KEYS: TEST_LIVE_KEYS,
    RECIPIENT_CONNECTOR_URL: crm.url,
    RECIPIENT_CONNECTOR_SECRET: SECRET,
    RECIPIENT_CONNECTOR_ALLOW_HTTP: 'true',
    RECIPIENT_CONNECTOR_ALLOW_PRIVATE: 'true',
    RECIPIENT_CONNECTOR_TTL_S: '1',
    // Long enough that a loaded machine still sees a stale answer before the window ends.
    RECIPIENT_CONNECTOR_STALE_IF_ERROR_S: '15',
    RECIPIENT_CONNECTOR_RETRY_AFTER_S: '7',
    ...extra,
  });

beforeAll(async () => {
  redis = await startTestRedis();
  dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-connector-'));
  await startCrm();
  api = await startApiServer(env(), { port: 0, host: '127.0.0.1', fastPath: false, logger: pino({ level: 'silent' }) });
  probe = createFarmProbe(redis.url);
}, 60_000);

afterAll(async () => {
  await probe?.close();
  await api?.close();
  crm.server?.close();
  await redis?.destroy();
  await rm(dir, { recursive: true, force: true });
});

async function call(method: string, url: string, body?: unknown) {
  const res = await fetch(`${api.url}${url}`, {
    method,
    headers: { authorization: `Bearer ${API_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text };
}

async function stickyLink(recipientId: string): Promise<string> {
  const res = await call('POST', '/v1/live-links', { templateId: 'loyalty-tier', channels: ['web'], recipientId });
  expect(res.status).toBe(201);
  return (JSON.parse(res.text) as { links: { url: string }[] }).links[0]!.url;
}

const crmProfile = (first: string) => ({ name: { first }, loyalty: { tier: 'Gold', nextTier: 'Platinum', points: 5000, pointsToNextTier: 100, memberSince: 2019 } });
const firstNameOf = (html: string) => (/"firstName":"([^"]*)"/.exec(html) ?? [])[1];

describe('a CRM pull connector behind sticky links', () => {
  it('200 concurrent opens of one cold sticky link make one signed CRM call and one render', async () => {
    crm.profiles.set('herd', crmProfile('Herd'));
    const url = await stickyLink('herd');
    const pages = await Promise.all(Array.from({ length: 200 }, () => call('GET', url)));
    expect(pages.map((p) => p.status)).toEqual(Array(200).fill(200));
    expect(new Set(pages.map((p) => firstNameOf(p.text)))).toEqual(new Set(['Herd']));
    // The pages do not wait for the render to start (it is started beside them): its job appears shortly after.
    await expect.poll(async () => (await probe.renderJobs()).length, { timeout: 30_000, interval: 50 }).toBe(1);
    expect(crm.calls.get('herd')).toBe(1);
    expect(crm.badSignatures).toBe(0);
  });

  it('a change in the CRM shows after the TTL; CRM down: the last copy within stale-if-error, then 503 with Retry-After', { timeout: 180_000 }, async () => {
    crm.profiles.set('flaky', crmProfile('First'));
    const url = await stickyLink('flaky');
    const first = await call('GET', url);
    expect(firstNameOf(first.text)).toBe('First');
    expect(first.headers.get('x-mastercut-profile-version')).toBe('1');

    crm.profiles.set('flaky', crmProfile('Second'));
    await expect.poll(async () => firstNameOf((await call('GET', url)).text), { timeout: 30_000, interval: 200 }).toBe('Second');
    const second = await call('GET', url);
    expect(second.headers.get('x-mastercut-profile-version')).toBe('2');

    crm.down = true;
    try {
      const callsWhenDown = crm.calls.get('flaky')!;
      // Past the TTL the CRM is asked again, fails, and the last copy is served.
      await expect
        .poll(
          async () => {
            const asked = crm.calls.get('flaky')! > callsWhenDown;
            const page = await call('GET', url);
            return asked && page.status === 200 ? firstNameOf(page.text) : undefined;
          },
          { timeout: 30_000, interval: 200 },
        )
        .toBe('Second');
      // Past the stale window nothing is served: never missing or default data.
      await expect.poll(async () => (await call('GET', url)).status, { timeout: 60_000, interval: 250 }).toBe(503);
      const refused = await call('GET', url);
      expect(JSON.parse(refused.text).code).toBe('RECIPIENT_SOURCE_UNAVAILABLE');
      expect(refused.headers.get('retry-after')).toBe('7');
      expect(refused.text).not.toContain('Second');
    } finally {
      crm.down = false;
    }
    await expect.poll(async () => (await call('GET', url)).status, { timeout: 30_000, interval: 250 }).toBe(200);
  });

  it('a recipient the CRM does not know is a 404, never a render of defaults', async () => {
    const res = await call('GET', await stickyLink('unknown-to-crm'));
    expect(res.status).toBe(404);
    expect(JSON.parse(res.text).code).toBe('RECIPIENT_PROFILE_MISSING');
  });

  it('erasure deletes the cached CRM copy; the link then answers 410', async () => {
    crm.profiles.set('forget-me', crmProfile('Forget'));
    const url = await stickyLink('forget-me');
    expect((await call('GET', url)).status).toBe(200);
    expect(await probe.redis.exists('{mastercut}:rcpc:forget-me', '{mastercut}:rcpch:forget-me')).toBe(2);
    const erased = await call('DELETE', '/v1/subjects/forget-me');
    expect(erased.status).toBe(200);
    expect(JSON.parse(erased.text).counts).toMatchObject({ connectorCopies: 1 });
    expect(await probe.redis.exists('{mastercut}:rcpc:forget-me', '{mastercut}:rcpf:forget-me', '{mastercut}:rcpch:forget-me')).toBe(0);
    expect((await call('GET', url)).status).toBe(410);
  });

  it('refuses private addresses unless allowed: at start for a literal address, at each call for a name that resolves to one', async () => {
    await expect(startApiServer(env({ RECIPIENT_CONNECTOR_ALLOW_PRIVATE: 'false' }), { port: 0, host: '127.0.0.1', fastPath: false, logger: pino({ level: 'silent' }) })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('RECIPIENT_CONNECTOR_URL'),
    });
    const conn = new Redis(redis.url);
    try {
      const port = (crm.server!.address() as AddressInfo).port;
      const failures: string[] = [];
      const connector = createRecipientConnector(
        {
          redis: conn,
          sign: (id, ts, content) => ({ ...signWebhook([SECRET], id, ts, content) }),
          // A public-looking name that DNS answers with loopback (rebinding): the guard vets every address.
          lookup: async () => [{ address: '127.0.0.1', family: 4 }],
          onFailure: ({ reason }) => failures.push(reason),
        },
        { baseUrl: `http://crm.example.test:${port}/crm`, allowHttp: true, ttlSeconds: 1, staleIfErrorSeconds: 0, timeoutMs: 2_000, maxBytes: 4096, retryAfterSeconds: 5 },
      );
      crm.profiles.set('private', crmProfile('Private'));
      const before = crm.calls.get('private') ?? 0;
      await expect(connector.current('private')).rejects.toMatchObject({ code: 'RECIPIENT_SOURCE_UNAVAILABLE' });
      expect(crm.calls.get('private') ?? 0).toBe(before);
      expect(failures[0]).toMatch(/private|loopback|not allowed|forbidden/i);
    } finally {
      conn.disconnect();
    }
  });
});
