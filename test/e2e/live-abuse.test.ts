import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findChromium } from '../../src/encode/index.js';
import { parseLiveKeyring, sealLiveToken, type LiveTokenInput } from '../../src/live/index.js';
import { createFarmProbe, createLiveLinks, listFiles, logLines, rawGet, tokenOf, until, type CreatedLink, type FarmProbe } from '../helpers/live-farm.js';
import { startTestRedis, type EmbeddedRedis } from '../helpers/redis-server.js';
import { startApiProcess, startWorkerProcess, TEST_LIVE_KEYS, untilReady, type WorkerChild, stopFarmProcesses } from '../helpers/worker-process.js';

/**
 * Abuse of public Live URLs against a real farm: forged, expired, retired,
 * oversized and traversing links each get their status, and none of them
 * starts a render (no job, no index record, no budget spent). Then the render
 * budget (429 + Retry-After, cached hits never limited) and props carrying
 * script payloads, which a real Chromium shows as text.
 */

const keyOf = (seed: string) => createHash('sha256').update(seed).digest('base64');
const OTHER_KEYS = `other:${keyOf('mastercut other test key')}`;
const NEW_KEYS = `new:${keyOf('mastercut new test key')}`;
/** API A: test1 seals; `other` and `new` open too. */
const KEYS_A = `${TEST_LIVE_KEYS},${OTHER_KEYS},${NEW_KEYS}`;
/** API B: `new` seals; test1 is listed but retired. One cold render per client and per link. */
const KEYS_B = `${NEW_KEYS},${TEST_LIVE_KEYS}`;
const keyringTest1 = parseLiveKeyring({ keys: TEST_LIVE_KEYS });
const keyringNew = parseLiveKeyring({ keys: NEW_KEYS });

let redis: EmbeddedRedis;
let dir: string;
let storeRoot: string;
let apiA: WorkerChild & { url: string };
let apiB: WorkerChild & { url: string };
let worker: WorkerChild;
let farm: FarmProbe;
const children: WorkerChild[] = [];

beforeAll(async () => {
  redis = await startTestRedis();
  dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-abuse-'));
  storeRoot = path.join(dir, 'storage');
  const common = { redisUrl: redis.url, storeRoot };
  [apiA, apiB] = await Promise.all([
    startApiProcess({ ...common, env: { LIVE_KEYS: KEYS_A } }),
    startApiProcess({
      ...common,
      env: {
        LIVE_KEYS: KEYS_B,
        LIVE_RETIRED_KEY_IDS: 'test1',
        LIVE_TOKEN_MAX_LENGTH: '4096',
        COLD_RENDER_LIMIT_PER_CLIENT: '1',
        COLD_RENDER_LIMIT_PER_LINK: '1',
        COLD_RENDER_WINDOW_S: '600',
      },
    }),
  ]);
  children.push(apiA, apiB);
  // The worker warms its browsers while the refusal cases run; only the budget cases need it.
  worker = startWorkerProcess({ ...common, args: ['--eviction-check', 'warn'] });
  children.push(worker);
  farm = createFarmProbe(redis.url);
}, 120_000);

afterAll(async () => {
  await farm?.close();
  await stopFarmProcesses(children);
  await redis?.destroy();
  await rm(dir, { recursive: true, force: true });
});

const REFERENCE: LiveTokenInput = { templateId: 'reference', channel: 'web', props: { name: 'Abuse', points: 1 } };
const seal = (input: LiveTokenInput = REFERENCE, options: { now?: number; ttlSeconds?: number; maxLength?: number } = {}) =>
  sealLiveToken(keyringTest1, input, { ttlSeconds: 3_600, ...options });

interface Parts {
  kid: string;
  iv: Buffer;
  ct: Buffer;
  tag: Buffer;
}
function split(token: string): Parts {
  const [, kid, body] = token.split('.') as [string, string, string];
  const b = Buffer.from(body, 'base64url');
  return { kid, iv: b.subarray(0, 12), ct: b.subarray(12, b.length - 16), tag: b.subarray(b.length - 16) };
}
const join = (kid: string, ...bytes: Buffer[]) => `v1.${kid}.${Buffer.concat(bytes).toString('base64url')}`;
/** The same token in the standard base64 alphabet, padded; percent-encoded so a '/' stays inside the path segment. */
const standardSpelling = (token: string) => {
  const [version, kid, body] = token.split('.');
  return `${version}.${kid}.${encodeURIComponent(Buffer.from(body!, 'base64url').toString('base64'))}`;
};
const flip = (buf: Buffer, at: number) => {
  const copy = Buffer.from(buf);
  copy[at] = copy[at]! ^ 0x01;
  return copy;
};

/** Every route a link has, the costly ones first. */
const ROUTES = ['/video.mp4', '/poster.jpg', '/preview.gif', '/still.png', '', '/status', '/cta/book'];

async function statusesOf(base: string, token: string): Promise<{ route: string; status: number; code?: string }[]> {
  return Promise.all(
    ROUTES.map(async (route) => {
      const res = await rawGet(base, `/l/${token}${route}`);
      const code = res.headers['content-type']?.includes('json') ? (JSON.parse(res.body.toString()) as { code?: string }).code : undefined;
      return { route, status: res.status, ...(code ? { code } : {}) };
    }),
  );
}
const every = (status: number, code: string) => ROUTES.map((route) => ({ route, status, code }));

/** Nothing was rendered, queued, indexed or even budgeted. */
async function expectNothingStarted(): Promise<void> {
  expect(await farm.renderJobs()).toEqual([]);
  expect(await farm.transcode.getJobCounts()).toMatchObject({ waiting: 0, active: 0, completed: 0, failed: 0, prioritized: 0, delayed: 0 });
  expect(await farm.indexKeys()).toEqual([]);
  expect(await farm.redis.keys('{mastercut}:cold:*')).toEqual([]);
  expect(await farm.redis.keys('{mastercut}:stream:*')).toEqual([]);
  expect(logLines(worker.output(), 'render started')).toEqual([]);
  expect(await listFiles(storeRoot)).toEqual([]);
}

describe('forged, expired, retired, oversized and traversing links: refused, and nothing renders', () => {
  it('a tampered token is refused with 403: flipped bytes, swapped parameters, a duplicated tag, non-canonical spellings', async () => {
    // The standard alphabet spells a token differently only when its body holds a '-' or '_' or needs
    // padding: with a random IV, about 1 token in 100 has neither (40 of 4,000 sealed), and its "tampered" spelling is itself.
    let good = seal();
    while (standardSpelling(good) === good) good = seal();
    const other = seal({ ...REFERENCE, props: { name: 'Someone else', points: 2 } });
    // The untampered token opens (status does not render).
    expect((await rawGet(apiA.url, `/l/${good}/status`)).status).toBe(200);

    const g = split(good);
    const o = split(other);
    const body = good.split('.')[2]!;
    const tampered: Record<string, string> = {
      'flipped ciphertext byte': join(g.kid, g.iv, flip(g.ct, Math.floor(g.ct.length / 2)), g.tag),
      'flipped first ciphertext byte': join(g.kid, g.iv, flip(g.ct, 0), g.tag),
      'flipped IV byte': join(g.kid, flip(g.iv, 3), g.ct, g.tag),
      'flipped tag byte': join(g.kid, g.iv, g.ct, flip(g.tag, 15)),
      // The key id is authenticated data: moving a token to another configured key fails.
      'key id of another configured key': `v1.other.${body}`,
      'key id of a third configured key': `v1.new.${body}`,
      'unknown key id': `v1.nope.${body}`,
      'another version': `v2.${g.kid}.${body}`,
      "two tokens' IVs swapped": join(g.kid, o.iv, g.ct, g.tag),
      "two tokens' tags swapped": join(g.kid, g.iv, g.ct, o.tag),
      "two tokens' ciphertexts swapped": join(g.kid, g.iv, o.ct, g.tag),
      'duplicated tag': join(g.kid, g.iv, g.ct, g.tag, g.tag),
      'tag dropped': join(g.kid, g.iv, g.ct),
      'one byte short': join(g.kid, g.iv, g.ct, g.tag.subarray(0, 15)),
      'extra dot part': `${good}.${body.slice(0, 22)}`,
      // Percent-encoded so a '/' of the standard alphabet stays inside the token's path segment.
      'standard base64 alphabet, padded': standardSpelling(good),
      'padding added': `${good}${encodeURIComponent('==')}`,
    };
    // One token, two spellings: the same bytes with different unused trailing bits.
    const sealedLength = g.iv.length + g.ct.length + g.tag.length;
    if (sealedLength % 3 !== 0) {
      const last = body.at(-1)!;
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const twin = alphabet[alphabet.indexOf(last) ^ 1]!;
      const variant = `v1.${g.kid}.${body.slice(0, -1)}${twin}`;
      expect(Buffer.from(variant.split('.')[2]!, 'base64url').equals(Buffer.from(body, 'base64url'))).toBe(true);
      tampered['non-canonical trailing bits'] = variant;
    }
    for (const [name, token] of Object.entries(tampered)) {
      expect(token).not.toBe(good);
      const statuses = await statusesOf(apiA.url, token);
      expect(statuses, name).toEqual(every(403, 'TOKEN_INVALID'));
    }
    await expectNothingStarted();
  });

  it('an expired token answers 410, and an expired token that is also tampered answers 403', async () => {
    const expired = seal(REFERENCE, { now: Date.now() - 2 * 3_600_000, ttlSeconds: 60 });
    expect(await statusesOf(apiA.url, expired)).toEqual(every(410, 'TOKEN_EXPIRED'));
    // Authenticity is checked before expiry: a forger learns nothing from a 410.
    const p = split(expired);
    expect(await statusesOf(apiA.url, join(p.kid, p.iv, flip(p.ct, 1), p.tag))).toEqual(every(403, 'TOKEN_INVALID'));
    // Expiring right now (exp = now): refused too.
    const edge = seal(REFERENCE, { now: Date.now() - 60_000, ttlSeconds: 60 });
    expect((await rawGet(apiA.url, `/l/${edge}/video.mp4`)).status).toBe(410);
    await expectNothingStarted();
  });

  it('a token of a retired key is refused with 403, though the same token opens where the key is live', async () => {
    const [link] = await createLiveLinks(apiA.url, { templateId: 'reference', channels: ['web'], props: { name: 'Retired', points: 3 } });
    const token = tokenOf(link!.url);
    expect(token.startsWith('v1.test1.')).toBe(true);
    expect((await rawGet(apiA.url, `/l/${token}/status`)).status).toBe(200);
    expect(await statusesOf(apiB.url, token)).toEqual(every(403, 'TOKEN_INVALID'));
    // B seals with its active key, and opens that.
    const [fresh] = await createLiveLinks(apiB.url, { templateId: 'reference', channels: ['web'], props: { name: 'Retired', points: 3 } });
    expect(tokenOf(fresh!.url).startsWith('v1.new.')).toBe(true);
    expect((await rawGet(apiB.url, `/l/${tokenOf(fresh!.url)}/status`)).status).toBe(200);
    await expectNothingStarted();
  });

  it('a token over LIVE_TOKEN_MAX_LENGTH is refused with 403 before it is opened', async () => {
    const big = sealLiveToken(keyringNew, { ...REFERENCE, props: { name: 'Big', points: 4, pad: 'x'.repeat(1_800) } }, { ttlSeconds: 3_600, maxLength: 8_192 });
    expect(big.length).toBeGreaterThan(2_048);
    expect(big.length).toBeLessThan(4_096);
    expect(await statusesOf(apiA.url, big)).toEqual(every(403, 'TOKEN_INVALID'));
    // The very same token opens where the limit is higher: the length alone refused it.
    expect((await rawGet(apiB.url, `/l/${big}/status`)).status).toBe(200);
    // Far past any limit: still a plain 403 (or the server's own header limit), never a crash.
    const huge = `v1.test1.${'A'.repeat(12_000)}`;
    expect([403, 414, 431]).toContain((await rawGet(apiA.url, `/l/${huge}/video.mp4`)).status);
    expect((await rawGet(apiA.url, '/healthz')).status).toBe(200);
    await expectNothingStarted();
  });

  it('a path traversal is refused with 400, raw or encoded, and never reaches a file', async () => {
    const token = seal();
    const attempts = [
      `/l/${token}/../../etc/passwd`,
      `/l/${token}/../../../../../../etc/passwd`,
      `/l/${token}/%2e%2e/%2e%2e/etc/passwd`,
      `/l/${token}/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd`,
      `/l/${token}/..%2f..%2f..%2fetc%2fpasswd`,
      `/l/${token}/%252e%252e%252f%252e%252e%252fetc%252fpasswd`,
      `/l/${token}/..%5c..%5cetc%5cpasswd`,
      `/l/${token}/video.mp4%00.png`,
      `/l/${token}/./video.mp4`,
      `/l/..%2f..%2fetc%2fpasswd/video.mp4`,
      `/l/${token}/cta/..%2f..%2f..%2fv1%2fsubjects`,
      `/b/reference/0123456789abcdef/..%2f..%2f..%2fpackage.json`,
      `/b/reference/0123456789abcdef/../../../package.json`,
    ];
    for (const attempt of attempts) {
      const res = await rawGet(apiA.url, attempt);
      expect(res.status, attempt).toBe(400);
      expect(JSON.parse(res.body.toString()), attempt).toMatchObject({ code: 'INVALID_KEY' });
      expect(res.body.toString()).not.toMatch(/root:|"name":\s*"mastercut"/);
    }
    await expectNothingStarted();
  });

  it('no token, props or recipient id reaches the API log, whatever the spelling of the path', async () => {
    const [link] = await createLiveLinks(apiA.url, { templateId: 'reference', channels: ['web'], props: { name: 'Logged Never', points: 5 }, recipientId: 'log-subject-77' });
    const token = tokenOf(link!.url);
    for (const p of [`/l/${token}/status`, `/L/${token}/status`, `/l/${token}/nope.txt`]) await rawGet(apiA.url, p);
    await fetch(`${apiA.url}/v1/subjects/never-existed-88`, { method: 'DELETE', headers: { authorization: 'Bearer farm-key' } });
    await fetch(`${apiA.url}/V1/Subjects/never-existed-99`, { method: 'DELETE', headers: { authorization: 'Bearer farm-key' } });
    await new Promise((r) => setTimeout(r, 200));
    const log = apiA.output();
    expect(log).toContain('/l/:token/status');
    // Express routes case-insensitively, so `/L/<token>` and `/V1/Subjects/<id>` reach the same handlers.
    const secrets = [token.split('.')[2]!.slice(0, 24), 'Logged Never', 'log-subject-77', 'never-existed-88', 'never-existed-99'];
    const leaks = log.split('\n').filter((line) => secrets.some((s) => line.includes(s)));
    expect(leaks).toEqual([]);
  });
});

describe('the cold-render budget', () => {
  let x: CreatedLink;
  let xKey: string;

  it('a client over its budget gets 429 with Retry-After and no render; its cached hits are never limited', async () => {
    [x] = (await createLiveLinks(apiB.url, { templateId: 'reference', channels: ['web'], props: { name: 'Budget X', points: 10 } })) as [CreatedLink];
    const [y] = await createLiveLinks(apiB.url, { templateId: 'reference', channels: ['web'], props: { name: 'Budget Y', points: 11 } });
    await untilReady(worker, 90_000);
    const c1 = '127.0.0.11';

    // The client's one cold render: X streams while it renders.
    const cold = rawGet(apiB.url, x.assets.video, { localAddress: c1 });
    const [job] = await until(async () => {
      const jobs = await farm.renderJobs();
      return jobs.length > 0 && jobs;
    }, 60_000, 'the render of X');
    xKey = job!.id;

    for (const asset of [y!.assets.video, y!.assets.poster, y!.assets.still]) {
      const res = await rawGet(apiB.url, asset, { localAddress: c1 });
      expect(res.status, asset).toBe(429);
      expect(JSON.parse(res.body.toString())).toMatchObject({ code: 'RATE_LIMITED' });
      const retry = Number(res.headers['retry-after']);
      expect(Number.isInteger(retry)).toBe(true);
      expect(retry).toBeGreaterThanOrEqual(1);
      expect(retry).toBeLessThanOrEqual(600);
    }
    const streamed = await cold;
    expect(streamed.status).toBe(200);
    expect(streamed.headers['x-mastercut-stream']).toBe('live');
    expect(streamed.aborted).toBeUndefined();
    await until(async () => (await farm.index.get(xKey))?.state === 'done', 30_000, 'X published');

    // Cached hits from the same spent client: all served, none limited.
    for (let i = 0; i < 20; i++) {
      const res = await rawGet(apiB.url, x.assets.video, { localAddress: c1 });
      expect(res.status).toBe(200);
      expect(res.headers.etag).toBeTruthy();
      expect(res.headers['x-mastercut-stream']).toBeUndefined();
    }
    const ranged = await rawGet(apiB.url, x.assets.video, { localAddress: c1, headers: { range: 'bytes=0-99' } });
    expect(ranged.status).toBe(206);
    // The page of Y still opens (it plays in the browser), but starts no render over budget.
    expect((await rawGet(apiB.url, y!.url, { localAddress: c1 })).status).toBe(200);
    expect((await farm.renderJobs()).map((j) => j.id)).toEqual([xKey]);
    expect(await farm.indexKeys()).toEqual([xKey]);
    expect(logLines(worker.output(), 'render started')).toHaveLength(1);
  }, 150_000);

  it('a link over its budget gets 429 with Retry-After, even from a fresh client', async () => {
    expect(xKey).toBeDefined();
    // X's file was evicted from the store (as the byte budget does): the next request is cold again,
    // and X already spent its one cold render of the window.
    await rm(path.join(storeRoot, `renders/${xKey}.mp4`));
    // A hot path may still be answered from memory for one memo period (1 s) after its last full check.
    const res = await until(
      async () => {
        const r = await rawGet(apiB.url, x.assets.video, { localAddress: '127.0.0.12' });
        return r.status === 200 ? undefined : r;
      },
      5_000,
      'the evicted video to be cold again',
    );
    expect(res.status).toBe(429);
    expect(JSON.parse(res.body.toString())).toMatchObject({ code: 'RATE_LIMITED' });
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // No new render of X.
    expect(await farm.renderJobs()).toEqual([{ id: xKey, state: 'completed' }]);
    expect(logLines(worker.output(), 'render started', xKey)).toHaveLength(1);
  });
});

describe('props carrying script payloads', () => {
  const payloads = ['<script>window.__pwned=1</script>', '<img src=x onerror=window.__pwned=2>'];
  const links: { name: string; url: string }[] = [];
  let browser: Browser | undefined;
  afterAll(async () => {
    await browser?.close();
  });

  async function open(url: string) {
    browser ??= await chromium.launch({
      executablePath: (await findChromium()).path,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // Not 'load': the poster <img> of a cold link waits for its render (this farm has no transcode worker).
    await page.goto(`${apiA.url}${url}`, { waitUntil: 'domcontentloaded' });
    // The client settles on the live player, or on the poster when the bundle cannot load.
    await page.waitForFunction(() => ['live', 'poster', 'video'].includes(document.getElementById('mc-stage')?.dataset.mode ?? ''), null, { timeout: 20_000 });
    return { context, page, errors };
  }

  it('are accepted as strings and sent escaped: only inside the JSON data block, as \\u003c escapes', async () => {
    for (const name of payloads) {
      const [link] = await createLiveLinks(apiA.url, { templateId: 'reference', channels: ['web'], props: { name, points: 6 } });
      links.push({ name, url: link!.url });
      const res = await fetch(`${apiA.url}${link!.url}`);
      expect(res.status).toBe(200);
      const html = await res.text();
      const dataBlock = /<script type="application\/json" id="mc-landing-data">([^<]*)<\/script>/.exec(html);
      expect(dataBlock).not.toBeNull();
      // In the data block, escaped (no '<' at all), and it parses back to the exact props.
      expect(dataBlock![1]).toContain('\\u003c');
      expect((JSON.parse(dataBlock![1]!) as { props: { name: string } }).props.name).toBe(name);
      const outside = html.replace(dataBlock![0], '');
      expect(outside).not.toContain('__pwned');
      expect(outside).not.toMatch(/onerror=/i);
      expect(outside.match(/<script/gi)).toHaveLength(1);
    }
  });

  it('run no script in Chromium', async () => {
    expect(links).toHaveLength(payloads.length);
    for (const link of links) {
      const { context, page, errors } = await open(link.url);
      await new Promise((r) => setTimeout(r, 300));
      expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
      // The data block and the client (the player bundle is an imported module, not an element): nothing injected.
      expect(await page.locator('script').count()).toBe(2);
      expect(await page.locator('img').count()).toBe(1);
      const data = await page.evaluate(() => JSON.parse(document.getElementById('mc-landing-data')!.textContent!) as { props: { name: string } });
      expect(data.props.name).toBe(link.name);
      expect(errors).toEqual([]);
      await context.close();
    }
  }, 60_000);

  it('are shown as literal text by the live player in Chromium', async () => {
    expect(links).toHaveLength(payloads.length);
    // The live player needs the template bundle the page's <base href> points at.
    const html = await (await fetch(`${apiA.url}${links[0]!.url}`)).text();
    const bundleBase = /<base href="([^"]+)">/.exec(html)![1]!;
    const bundle = await rawGet(apiA.url, `${bundleBase}bundle.js`);
    expect(bundle.status, `GET ${bundleBase}bundle.js: ${bundle.body.toString().slice(0, 200)}`).toBe(200);
    expect(bundle.headers['content-type']).toMatch(/javascript/);

    for (const link of links) {
      const { context, page, errors } = await open(link.url);
      expect(await page.locator('#mc-stage').getAttribute('data-mode')).toBe('live');
      await expect.poll(() => page.locator('#mc-stage .live').innerText(), { timeout: 5_000 }).toContain(`Hello, ${link.name}`);
      expect(await page.locator('#mc-stage .live img').count()).toBe(0);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
      expect(errors).toEqual([]);
      await context.close();
    }
  }, 60_000);
});
