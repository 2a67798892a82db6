import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../../src/api/main.js';
import { loadConfig } from '../../../src/config/index.js';
import { openLiveToken, parseLiveKeyring } from '../../../src/live/index.js';
import { createFarmProbe, rawGet, tokenOf, type FarmProbe } from '../../helpers/live-farm.js';
import { startTestRedis, type EmbeddedRedis } from '../../helpers/redis-server.js';

const API_KEY = 'api-key-0123456789abcdefghij';
const ADMIN_KEY = 'admin-key-0123456789abcdefgh';
const MINT_KEY = 'mint-key-0123456789abcdefghi';
const LIVE_KEYS = `m1:${randomBytes(32).toString('base64')}`;
const keyring = parseLiveKeyring({ keys: LIVE_KEYS });

let redis: EmbeddedRedis;
let dir: string;
let api: ApiServer;
let probe: FarmProbe;

/** The API as `mastercut serve` wires it (src/api/main.ts), on a private redis-server and a free port. */
async function startApi(env: Record<string, string> = {}): Promise<ApiServer> {
  const config = loadConfig({
    REDIS_URL: redis.url,
    API_KEYS: API_KEY,
    ADMIN_API_KEYS: ADMIN_KEY,
    MINT_KEYS: `another-mint-key-0123456789ab,${MINT_KEY}`,
    LIVE_KEYS,
    STORAGE_ROOT: path.join(dir, 'storage'),
    MASTERCUT_CACHE_DIR: path.join(dir, 'cache'),
    ...env,
  });
  return startApiServer(config, { port: 0, host: '127.0.0.1', fastPath: false, logger: pino({ level: 'silent' }) });
}

const mintPath = (query: Record<string, string>) => `/v1/live-links/mint?${new URLSearchParams(query).toString()}`;
const welcome = { template: 'welcome-clip', channel: 'email', campaign: 'spring-26', recipient: 'user-42', firstName: 'Ada', welcomePoints: '1200', 'cta.label': 'Book now' };

/**
 * GET on a connection of its own (no keep-alive): fetch's pool reuses idle
 * sockets, and on a loaded machine one that the server is closing at that
 * moment answers ECONNRESET, which would test the client, not the route.
 */
async function get(base: string, pathname: string, key: string | null): Promise<Response> {
  const res = await rawGet(base, pathname, { headers: key === null ? {} : { authorization: `Bearer ${key}` } });
  return new Response(new Uint8Array(res.body), { status: res.status, headers: res.headers as Record<string, string> });
}

/** A mint call with `key` as the Bearer key (null: no Authorization header). */
function mint(query: Record<string, string>, key: string | null = MINT_KEY): Promise<Response> {
  return get(api.url, mintPath(query), key);
}

beforeAll(async () => {
  redis = await startTestRedis();
  dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-mint-'));
  api = await startApi();
  probe = createFarmProbe(redis.url);
});

afterAll(async () => {
  await probe?.close();
  await api?.close();
  await redis?.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('GET /v1/live-links/mint: keys', () => {
  it('refuses a missing or unknown key (401), and an API or admin key (403 MINT_KEY_REQUIRED)', async () => {
    const missing = await mint(welcome, null);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ code: 'MINT_KEY_MISSING' });
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);

    const wrong = await mint(welcome, `${MINT_KEY}x`);
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ code: 'MINT_KEY_INVALID' });

    for (const key of [API_KEY, ADMIN_KEY]) {
      const res = await mint(welcome, key);
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ code: 'MINT_KEY_REQUIRED' });
    }
  });

  it('refuses a mint key on every API-key route (403 MINT_KEY_FORBIDDEN)', async () => {
    const auth = { authorization: `Bearer ${MINT_KEY}` };
    const templates = await fetch(`${api.url}/v1/templates`, { headers: auth });
    expect(templates.status).toBe(403);
    expect(await templates.json()).toMatchObject({ code: 'MINT_KEY_FORBIDDEN' });
    const links = await fetch(`${api.url}/v1/live-links`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ templateId: 'welcome-clip', channels: ['email'], props: { firstName: 'Ada' } }),
    });
    expect(links.status).toBe(403);
    expect(await links.json()).toMatchObject({ code: 'MINT_KEY_FORBIDDEN' });
    const renders = await fetch(`${api.url}/v1/renders`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{}' });
    expect(renders.status).toBe(403);
    // The API key still works there.
    expect((await fetch(`${api.url}/v1/templates`, { headers: { authorization: `Bearer ${API_KEY}` } })).status).toBe(200);
  });
});

describe('GET /v1/live-links/mint: the query', () => {
  it('mints a link whose sealed props come from the query, coerced by the schema, dotted names nested', async () => {
    const res = await mint(welcome);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    const body = (await res.json()) as { channel: string; url: string; assets: Record<string, string>; expiresAt: string };
    expect(body).toMatchObject({ channel: 'email', url: expect.stringMatching(/^\/l\/v1\.m1\./) });
    expect(body.assets).toEqual({ video: `${body.url}/video.mp4`, poster: `${body.url}/poster.jpg`, preview: `${body.url}/preview.gif`, still: `${body.url}/still.png` });
    // Expiry: the link lifetime (30 days by default) rounded up to a whole hour.
    const exp = Date.parse(body.expiresAt);
    expect(exp % 3_600_000).toBe(0);
    expect(exp - Date.now()).toBeGreaterThan(30 * 86_400_000 - 60_000);
    expect(exp - Date.now()).toBeLessThanOrEqual(30 * 86_400_000 + 3_600_000);
    const payload = openLiveToken(keyring, tokenOf(body.url));
    expect(payload).toMatchObject({
      templateId: 'welcome-clip',
      channel: 'email',
      campaignId: 'spring-26',
      recipientId: 'user-42',
      props: { firstName: 'Ada', welcomePoints: 1200, cta: { label: 'Book now' } },
    });
    // No readable personal data in the URL.
    expect(body.url).not.toContain('Ada');
  });

  it('answers clear 400s naming the field', async () => {
    const cases: [Record<string, string>, string, string][] = [
      [{ ...welcome, welcomePoints: 'lots' }, 'INVALID_PROPS', 'welcomePoints'],
      [{ ...welcome, welcomePoints: '-5' }, 'INVALID_PROPS', 'welcomePoints'],
      [{ ...welcome, 'cta.label': '' }, 'INVALID_PROPS', 'cta.label'],
      [{ template: 'welcome-clip', channel: 'email', welcomePoints: '5' }, 'INVALID_PROPS', 'firstName'],
      [{ ...welcome, '__proto__.x': '1' }, 'INVALID_PROPS', '__proto__.x'],
      [{ template: 'welcome-clip', firstName: 'Ada' }, 'INVALID_ARGUMENT', 'channel'],
      [{ channel: 'email', firstName: 'Ada' }, 'INVALID_ARGUMENT', 'template'],
      [{ ...welcome, campaign: 'no spaces allowed' }, 'INVALID_ARGUMENT', 'campaign'],
    ];
    for (const [query, code, field] of cases) {
      const res = await mint(query);
      const body = (await res.json()) as { code: string; issues?: { path: string }[] };
      expect({ status: res.status, code: body.code, field }).toEqual({ status: 400, code, field });
      expect(body.issues?.map((i) => i.path)).toContain(field);
    }
    const repeated = await get(api.url, `${mintPath(welcome)}&firstName=Bea`, MINT_KEY);
    expect(repeated.status).toBe(400);
    expect(((await repeated.json()) as { issues: { path: string }[] }).issues).toEqual([{ path: 'firstName', message: 'given more than once' }]);
    const unknownChannel = await mint({ ...welcome, channel: 'fax' });
    expect(unknownChannel.status).toBe(400);
    expect((await mint({ ...welcome, template: 'no-such-template' })).status).toBe(404);
  });

  it('mints a sticky link for a recipient alone: the token names the recipient and carries no props', async () => {
    const res = await mint({ template: 'loyalty-tier', channel: 'email', campaign: 'spring-26', recipient: 'user-42' });
    expect(res.status).toBe(200);
    const link = (await res.json()) as { url: string };
    const payload = openLiveToken(keyring, tokenOf(link.url));
    expect(payload).toMatchObject({ templateId: 'loyalty-tier', channel: 'email', campaignId: 'spring-26', recipientId: 'user-42' });
    expect(payload.props).toBeUndefined();
    expect(payload.propsRef).toBeUndefined();
    // A template that maps no profile fields cannot make one: a 400 that says to pass props.
    const unmapped = await mint({ template: 'welcome-clip', channel: 'email', recipient: 'user-42' });
    expect(unmapped.status).toBe(400);
    expect(((await unmapped.json()) as { issues: { path: string }[] }).issues).toEqual([{ path: 'props', message: 'required: this template declares no profileMapping, so its links carry props' }]);
  });
});

describe('GET /v1/live-links/mint: idempotent, renders nothing', () => {
  it('answers 2,000 concurrent identical calls with one stable answer and starts no render', async () => {
    const query = { ...welcome, recipient: 'user-2000', firstName: 'Concurrent' };
    const keysBefore = await probe.redis.dbsize();
    const bodies = await Promise.all(
      Array.from({ length: 2_000 }, async () => {
        const res = await mint(query);
        expect(res.status).toBe(200);
        return res.text();
      }),
    );
    expect(new Set(bodies).size).toBe(1);
    const keysAfterFirst = await probe.redis.dbsize();
    // A later call (answered from memory, or minted again) gives the very same link and stores nothing new.
    expect(await (await mint(query)).text()).toBe(bodies[0]);
    expect(await probe.redis.dbsize()).toBe(keysAfterFirst);
    expect(keysAfterFirst - keysBefore).toBeLessThanOrEqual(1); // the recipient's erasure index, at most
    expect(await probe.renderJobs()).toEqual([]);
    expect(await probe.transcode.count()).toBe(0);
  }, 180_000); // 2,000 fresh connections take tens of seconds on a shared 2-core machine

  it('gives the same link from another API process (deterministic, not only remembered)', async () => {
    const other = await startApi();
    try {
      const query = { ...welcome, recipient: 'user-other' };
      const here = await (await mint(query)).text();
      const there = await (await get(other.url, mintPath(query), MINT_KEY)).text();
      expect(there).toBe(here);
      expect(JSON.parse(here)).toHaveProperty('url');
    } finally {
      await other.close();
    }
  });

  it('mints a link that opens: its landing page answers 200 (the open, not the mint, starts the render)', async () => {
    const body = (await (await mint({ ...welcome, recipient: 'user-open' })).json()) as { url: string };
    expect(await probe.renderJobs()).toEqual([]);
    const page = await get(api.url, body.url, null);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
  });
});

describe('GET /v1/live-links/mint: rate limit', () => {
  it('answers 429 with Retry-After past the burst of a key', async () => {
    const limited = await startApi({ MINT_RATE_BURST: '3', MINT_RATE_LIMIT_PER_S: '1' });
    try {
      const call = () => get(limited.url, mintPath(welcome), MINT_KEY);
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await call()).status);
      expect(statuses).toEqual([200, 200, 200]);
      const refused = await call();
      expect(refused.status).toBe(429);
      expect(await refused.json()).toMatchObject({ code: 'RATE_LIMITED' });
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      // Another key has its own bucket.
      const otherKey = await get(limited.url, mintPath(welcome), 'another-mint-key-0123456789ab');
      expect(otherKey.status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
