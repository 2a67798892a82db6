import type { AddressInfo } from 'node:net';
import express from 'express';
import { pino } from 'pino';
import { startApiServer } from '../../../src/api/main.js';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyId, createDashboardRoutes, createDashboardSessions, type DashboardRoutesOptions } from '../../../src/engagement/dashboard/index.js';
import { createEngagementMetrics, listRecentWebhookFailures } from '../../../src/engagement/index.js';
import { recordWebhookFailure } from '../../../src/engagement/webhooks/webhook-stats.js';
import { campaignKeys } from '../../../src/campaigns/index.js';
import { API_KEY, dashboardEvents, OTHER_KEY, SESSION_SECRET, startDashboardHarness, type DashboardHarness } from './dashboard-harness.js';

let h: DashboardHarness;
let redis: Redis;
let campaignId: string;
const page = () => `/dashboard/campaigns/${campaignId}`;
const data = () => `/dashboard/campaigns/${campaignId}/data`;
const sessions = createDashboardSessions({ secret: SESSION_SECRET, ttlSeconds: 3600 });

/** Logs in through the form; returns the response (303 + Set-Cookie when the key is good). */
function login(apiKey: string, next?: string, headers: Record<string, string> = {}) {
  const body = new URLSearchParams({ apiKey, ...(next !== undefined ? { next } : {}) });
  return h.call('/dashboard/login', { auth: false, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
}
const cookieOf = (res: Response) => res.headers.get('set-cookie')!.split(';')[0]!;
const withCookie = (pathname: string, cookie: string) => h.call(pathname, { auth: false, headers: { cookie } });

function expectSecurityHeaders(res: Response) {
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('x-frame-options')).toBe('DENY');
  expect(res.headers.get('referrer-policy')).toBe('same-origin');
}

beforeAll(async () => {
  h = await startDashboardHarness();
  redis = new Redis(h.redis.url);
  campaignId = await h.createCampaign();
  await h.postEvents(dashboardEvents(campaignId, Date.now() - 3_600_000));
}, 120_000);
afterAll(async () => {
  redis?.disconnect();
  await h?.close();
});

describe('dashboard authentication', () => {
  it('sends a page request without credentials to the login form, and answers data with 401 JSON', async () => {
    const res = await h.call(page(), { auth: false });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/dashboard/login?next=${encodeURIComponent(page())}`);
    expectSecurityHeaders(res);

    const json = await h.call(data(), { auth: false });
    expect(json.status).toBe(401);
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await json.json()).toEqual({ code: 'UNAUTHORIZED', message: 'Missing or invalid API key.' });
    expect(json.headers.get('cache-control')).toBe('no-store');
  });

  it('refuses a wrong Bearer key on pages and data alike (401, not a redirect)', async () => {
    for (const path of [page(), data()]) {
      const res = await h.call(path, { headers: { authorization: 'Bearer not-a-key' } });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/invalid_token/);
    }
    expect((await h.call(data(), { headers: { authorization: 'Basic Zm9vOmJhcg==' } })).status).toBe(401);
  });

  it('accepts every configured key as a Bearer token', async () => {
    for (const key of [API_KEY, OTHER_KEY]) {
      const res = await h.call(data(), { headers: { authorization: `Bearer ${key}` } });
      expect(res.status).toBe(200);
    }
  });

  it('logs in through the form: a signed HttpOnly, SameSite=Strict cookie scoped to /dashboard, then back to the page', async () => {
    const form = await h.call(`/dashboard/login?next=${encodeURIComponent(page())}`, { auth: false });
    expect(form.status).toBe(200);
    const html = await form.text();
    expect(html).toContain('name="apiKey" type="password"');
    expect(html).toContain(`name="next" value="${page()}"`);
    expect(html).toMatch(/<form class="login" method="post" action="\/dashboard\/login">/);
    expect(form.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);

    const res = await login(API_KEY, page());
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(page());
    const setCookie = res.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^mc_dashboard=v1\.[^;]+; Path=\/dashboard; Max-Age=28800; HttpOnly; SameSite=Strict$/);
    // Plain http here (and Express does not trust X-Forwarded-Proto by default): no Secure flag.
    expect(setCookie).not.toMatch(/Secure/);
    expect(setCookie).not.toContain(API_KEY);

    const cookie = cookieOf(res);
    const pageRes = await withCookie(page(), cookie);
    expect(pageRes.status).toBe(200);
    const dataRes = await withCookie(data(), cookie);
    expect(dataRes.status).toBe(200);
    expect(((await dataRes.json()) as { campaignId: string }).campaignId).toBe(campaignId);
  });

  it('refuses a wrong key at the login form with the form again and no cookie', async () => {
    const res = await login('wrong-key', page());
    expect(res.status).toBe(401);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(await res.text()).toContain('That API key is not valid.');
  });

  it('refuses tampered, expired, malformed and revoked-key sessions', async () => {
    const good = cookieOf(await login(API_KEY));
    const token = good.slice('mc_dashboard='.length);
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    const parts = token.split('.');
    const tampered = [
      flip(token, token.length - 5), // the MAC
      [parts[0], (parseInt(parts[1]!, 36) + 86_400_000).toString(36), ...parts.slice(2)].join('.'), // a later expiry
      [parts[0], parts[1], apiKeyId('some-other-key'), ...parts.slice(3)].join('.'), // another key id
    ];
    const expired = sessions.issue(apiKeyId(API_KEY), Date.now() - 2 * 3_600_000).token;
    const revoked = sessions.issue(apiKeyId('a-key-no-longer-in-API_KEYS')).token;
    const otherSecret = createDashboardSessions({ secret: 'x'.repeat(40), ttlSeconds: 3600 }).issue(apiKeyId(API_KEY)).token;
    for (const bad of [...tampered, expired, revoked, otherSecret, 'garbage', '']) {
      const cookie = `mc_dashboard=${bad}`;
      const pageRes = await withCookie(page(), cookie);
      expect(pageRes.status, bad).toBe(303);
      expect(pageRes.headers.get('location')).toMatch(/^\/dashboard\/login\?next=/);
      expect((await withCookie(data(), cookie)).status, bad).toBe(401);
    }
    // The same forging helper makes a session the server does accept, so the refusals above are about the token.
    expect((await withCookie(data(), `mc_dashboard=${sessions.issue(apiKeyId(API_KEY)).token}`)).status).toBe(200);
  });

  it('only ever redirects a login to a /dashboard path on this origin', async () => {
    const cases: [string, string][] = [
      [page(), page()],
      ['/dashboard', '/dashboard'],
      ['https://evil.example/dashboard', '/dashboard'],
      ['//evil.example/dashboard', '/dashboard'],
      ['/\\evil.example', '/dashboard'],
      ['/dashboard/../v1/templates', '/dashboard'],
      ['/dashboard/%2e%2e/v1', '/dashboard'],
      ['/dashboardx', '/dashboard'],
      ['/v1/templates', '/dashboard'],
      ['/dashboard/login', '/dashboard'],
      ['javascript:alert(1)', '/dashboard'],
      ['/dashboard/campaigns/x?y=1', '/dashboard'],
    ];
    for (const [next, expected] of cases) {
      const res = await login(API_KEY, next);
      expect(res.status, next).toBe(303);
      expect(res.headers.get('location'), next).toBe(expected);
    }
    // The login page escapes and filters `next` too.
    const form = await (await h.call(`/dashboard/login?next=${encodeURIComponent('"><script>alert(1)</script>')}`, { auth: false })).text();
    expect(form).toContain('name="next" value="/dashboard"');
    expect(form).not.toContain('<script>alert');
  });

  it('refuses cross-site login and logout posts', async () => {
    expect((await login(API_KEY, page(), { origin: 'https://evil.example' })).status).toBe(400);
    expect((await login(API_KEY, page(), { 'sec-fetch-site': 'cross-site' })).status).toBe(400);
    const ok = await login(API_KEY, page(), { origin: h.url, 'sec-fetch-site': 'same-origin' });
    expect(ok.status).toBe(303);
  });

  it('logs out by expiring the cookie', async () => {
    const res = await h.call('/dashboard/logout', { auth: false, method: 'POST' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/dashboard/login');
    expect(res.headers.get('set-cookie')).toMatch(/^mc_dashboard=; Path=\/dashboard; Max-Age=0; HttpOnly; SameSite=Strict/);
  });

  it('logout revokes the session server side: the old cookie no longer works, on any API process', async () => {
    const cookie = cookieOf(await login(API_KEY));
    const other = cookieOf(await login(API_KEY));
    expect((await withCookie(data(), cookie)).status).toBe(200);
    const out = await h.call('/dashboard/logout', { auth: false, method: 'POST', headers: { cookie } });
    expect(out.status).toBe(303);
    // A client that kept the old cookie (a copy, a stolen one) is refused for the rest of its lifetime.
    expect((await withCookie(data(), cookie)).status).toBe(401);
    expect((await withCookie(page(), cookie)).status).toBe(303);
    // A second API process with the same secret and Redis refuses it too: the revocation lives in Redis.
    const second = await startApiServer(h.config, { port: 0, host: '127.0.0.1', fastPath: false, logger: pino({ level: 'silent' }) });
    try {
      expect((await fetch(`${second.url}${data()}`, { headers: { cookie } })).status).toBe(401);
      // Other sessions of the same key are not affected.
      expect((await fetch(`${second.url}${data()}`, { headers: { cookie: other } })).status).toBe(200);
    } finally {
      await second.close();
    }
    // Logging out twice, or with a forged or missing cookie, is still a plain redirect.
    expect((await h.call('/dashboard/logout', { auth: false, method: 'POST', headers: { cookie } })).status).toBe(303);
    expect((await h.call('/dashboard/logout', { auth: false, method: 'POST', headers: { cookie: 'mc_dashboard=v1.zz.forged' } })).status).toBe(303);
  });
});

describe('dashboard page and data', () => {
  it('answers the data endpoint with exactly campaignMetrics(), the campaign status and the webhook failures', async () => {
    const res = await h.call(data());
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expectSecurityHeaders(res);
    const body = (await res.json()) as Record<string, any>;
    const direct = await createEngagementMetrics(redis).campaignMetrics(campaignId);
    const api = (await (await h.call(`/v1/campaigns/${campaignId}/metrics`)).json()) as Record<string, unknown>;
    const { generatedAt: _a, ...metrics } = body.metrics;
    const { generatedAt: _b, ...expected } = direct;
    const { generatedAt: _c, ...fromApi } = api;
    expect(metrics).toEqual(expected);
    expect(metrics).toEqual(fromApi);
    // The fixture reaches every figure.
    expect(metrics.overall.funnel).toMatchObject({ delivered: 6, clicked: 1, shared: 1 });
    expect(metrics.overall.botEvents).toBe(1);
    expect(metrics.consistency.drifted.map((d: { recipientId: string }) => d.recipientId)).toEqual(['r03']);

    const status = await (await h.call(`/v1/campaigns/${campaignId}`)).json();
    expect(body.status).toEqual(status);
    expect(body).toMatchObject({ campaignId, finished: false, refreshMs: 1000, webhookFailures: { available: true, items: [] } });
  });

  it('serves the page with a nonce CSP, the first answer inline and the client as a cached, authenticated asset', async () => {
    const res = await h.call(page());
    expect(res.status).toBe(200);
    expectSecurityHeaders(res);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const csp = res.headers.get('content-security-policy')!;
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)![1]!;
    expect(csp).toBe(
      `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'`,
    );
    const html = await res.text();
    // Every script and style carries this response's nonce; no inline handlers anywhere.
    const tags = [...html.matchAll(/<(script|style)\b([^>]*)>/g)];
    for (const [, tag, attrs] of tags) {
      if (tag === 'script' && /type="application\/json"/.test(attrs!)) continue;
      expect(attrs).toContain(`nonce="${nonce}"`);
    }
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
    const boot = JSON.parse(/<script type="application\/json" id="mc-dashboard-boot">(.*?)<\/script>/s.exec(html)![1]!);
    expect(boot.dataUrl).toBe(data());
    expect(boot.data.campaignId).toBe(campaignId);

    const src = /<script nonce="[^"]+" src="([^"]+)"/.exec(html)![1]!;
    expect(src).toMatch(/^\/dashboard\/assets\/dashboard-[0-9a-f]{16}\.js$/);
    const asset = await h.call(src);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/^application\/javascript/);
    expect(asset.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
    expect(asset.headers.get('content-encoding')).toBe('gzip');
    const script = await asset.text();
    expect(script.length).toBeGreaterThan(10_000);
    const plain = await h.call(src, { headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(await plain.text()).toBe(script);
    expect((await h.call(src, { auth: false })).status).toBe(303);
    expect((await h.call('/dashboard/assets/dashboard-0000000000000000.js')).status).toBe(404);
  });

  it('answers 404 for a campaign the farm does not know and no event names, 400 for a malformed id', async () => {
    const unknown = 'cmp_aaaaaaaaaaaaaaaaaaaa';
    const pageRes = await h.call(`/dashboard/campaigns/${unknown}`);
    expect(pageRes.status).toBe(404);
    expect(pageRes.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await pageRes.text()).toContain(`No campaign ${unknown} on this farm.`);
    expect((await h.call(`/dashboard/campaigns/${unknown}/data`)).status).toBe(404);
    expect((await h.call('/dashboard/campaigns/not-a-campaign/data')).status).toBe(404);
    expect((await h.call('/dashboard/campaigns/bad%20id/data')).status).toBe(400);
    expect((await h.call(`/dashboard/campaigns/${'x'.repeat(201)}/data`)).status).toBe(400);
  });

  it('shows a campaign of another system (any id the metrics API takes) once events name it, with its LTV export', async () => {
    const external = 'crm.spring-2026:emea_01';
    await h.postEvents([
      { id: 'ext-dash-0001', type: 'delivered', campaignId: external, recipientId: 'c1', channel: 'email', templateId: 'loyalty-tier', ts: Date.now() - 60_000, meta: {} },
      { id: 'ext-dash-0002', type: 'page_view', campaignId: external, recipientId: 'c1', channel: 'email', templateId: 'loyalty-tier', ts: Date.now() - 30_000, meta: {} },
      { type: 'conversion', campaignId: external, recipientId: 'c1', orderId: 'o-1', value: 20, currency: 'EUR', ts: Date.now() - 10_000 },
    ]);
    const pageRes = await h.call(`/dashboard/campaigns/${encodeURIComponent(external)}`);
    expect(pageRes.status).toBe(200);
    const body = (await (await h.call(`/dashboard/campaigns/${encodeURIComponent(external)}/data`)).json()) as { metrics: Record<string, unknown>; status: unknown };
    const api = (await (await h.call(`/v1/campaigns/${encodeURIComponent(external)}/metrics`)).json()) as Record<string, unknown>;
    expect({ ...body.metrics, generatedAt: '' }).toEqual({ ...api, generatedAt: '' });
    expect(body.status).toBeNull();
    // The form on /dashboard takes it too.
    const opened = await h.call(`/dashboard?campaign=${encodeURIComponent(external)}`, { redirect: 'manual' });
    expect(opened.status).toBe(303);
    expect(opened.headers.get('location')).toBe(`/dashboard/campaigns/${encodeURIComponent(external)}`);
    const csv = await h.call(`/dashboard/campaigns/${encodeURIComponent(external)}/ltv.csv`);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const rows = (await csv.text()).trim().split('\r\n');
    expect(rows[0]).toMatch(/^campaign_id,window_days,currency,cohort,recipients,converters,/);
    expect(rows.slice(1).map((r) => r.split(',').slice(2, 8))).toEqual([
      ['EUR', 'multiChannel', '0', '0', '', '0'],
      ['EUR', 'singleChannel', '1', '1', '1', '20'],
      ['EUR', 'neverEngaged', '0', '0', '', '0'],
    ]);
    expect((await h.call(`/dashboard/campaigns/${encodeURIComponent(external)}/ltv.csv`, { auth: false })).status).toBe(401);
  });

  it('lists recent webhook failures and marks the campaign finished once it is done', async () => {
    await recordWebhookFailure(redis, {
      endpointId: 'wh_test',
      host: 'crm.example',
      url: 'https://crm.example/hooks',
      messageId: 'msg_1',
      events: 3,
      attempt: 2,
      status: 503,
      errorClass: 'http',
      message: 'Service Unavailable',
      at: Date.now(),
      willRetry: true,
      state: 'retrying',
    });
    // The way the campaign hooks finish a campaign.
    await redis.hset(campaignKeys(campaignId).meta, { state: 'done', finishedAt: String(Date.now()) });
    const body = (await (await h.call(data())).json()) as Record<string, any>;
    expect(body.webhookFailures.items).toEqual(await listRecentWebhookFailures(redis, { limit: 20 }));
    expect(body.webhookFailures.items[0]).toMatchObject({ url: 'https://crm.example/hooks', status: 503 });
    expect(body.finished).toBe(true);
    expect(body.status.state).toBe('done');
    await redis.hset(campaignKeys(campaignId).meta, { state: 'rendering' });
    await redis.hdel(campaignKeys(campaignId).meta, 'finishedAt');
  });
});

/** The dashboard router alone on its own port, with options the farm-wide harness does not set. */
async function standalone(options: DashboardRoutesOptions): Promise<{ url: string; close(): Promise<void> }> {
  const metrics = createEngagementMetrics(redis);
  const app = express();
  app.use(
    '/dashboard',
    createDashboardRoutes(
      {
        apiKeys: [API_KEY],
        campaignMetrics: (id) => metrics.campaignMetrics(id),
        // The farm's own status route stands in for the campaign service.
        campaignStatus: async (id) => (await h.call(`/v1/campaigns/${id}`)).json(),
      },
      { sessionSecret: SESSION_SECRET, ...options },
    ),
  );
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const postLogin = (url: string, apiKey: string) =>
  fetch(`${url}/dashboard/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ apiKey, next: page() }),
  });

describe('dashboard router options', () => {
  it('marks the session cookie Secure when told the farm is served over https', async () => {
    const app = await standalone({ secureCookies: true });
    try {
      const res = await postLogin(app.url, API_KEY);
      expect(res.status).toBe(303);
      expect(res.headers.get('set-cookie')).toMatch(/; HttpOnly; SameSite=Strict; Secure$/);
      const dataRes = await fetch(`${app.url}${data()}`, { headers: { cookie: cookieOf(res) } });
      expect(dataRes.status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('answers 429 with Retry-After once a client has failed too many logins, even for a good key', async () => {
    const app = await standalone({ maxLoginFailures: 2 });
    try {
      expect((await postLogin(app.url, 'wrong-1')).status).toBe(401);
      expect((await postLogin(app.url, 'wrong-2')).status).toBe(401);
      const throttled = await postLogin(app.url, API_KEY);
      expect(throttled.status).toBe(429);
      expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(throttled.headers.get('set-cookie')).toBeNull();
    } finally {
      await app.close();
    }
  });
});
