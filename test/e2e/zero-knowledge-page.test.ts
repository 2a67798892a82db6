import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import yearRecap from '../../compositions/year-recap/index.js';
import { findChromium, probe } from '../../src/encode/index.js';
import { mintZeroKnowledgeLink, type MintedZeroKnowledgeLink } from '../../src/zero-knowledge/index.js';
import { createTestEngine, repoRoot, type TestEngine } from '../helpers/render-engine.js';
import { decodeRgb, readRgb, type RgbImage } from '../helpers/pixels.js';
import { startTestRedis, type EmbeddedRedis } from '../helpers/redis-server.js';
import { startApiProcess, stopFarmProcesses, type WorkerChild } from '../helpers/worker-process.js';

// The zero-knowledge page against the real API process and a real Chromium:
// every request the browser makes is captured (URL, headers, body), and so is
// everything the server logs; none may hold a prop value or the key. The page
// must play the personalised video, and its "Download" must make a real H.264
// MP4 in the browser (WebCodecs; this Chromium has the encoder on a page served
// from 127.0.0.1, a secure context), compared here with a server render of the
// same props.

const ARTIFACTS = path.join(repoRoot, 'test-artifacts/zero-knowledge-page');
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const FRAME = { width: 1280, height: 720 };
// A person's browser: the default HeadlessChrome user agent is (rightly) flagged as a bot.
const USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';
const LAST_FRAME = yearRecap.durationInFrames - 1;

/** Distinctive prop values: none of these strings may appear in a request, a header, a body or a log line. */
const PROPS = { firstName: 'Zuleika', memberTier: 'Gold', nightsStayed: 317, pointsEarned: 7_654_321, topDestination: 'Quixotic Harbour', cta: { label: 'Wander onward' } };
const OTHER = { ...PROPS, firstName: 'Bartholomew' };
const SECRETS = ['Zuleika', 'Bartholomew', 'Quixotic', 'Harbour', 'Wander onward', 'Wander%20onward', 'Wander+onward', '7654321', '7,654,321'];

interface Captured {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string;
}

let redis: EmbeddedRedis;
let dir: string;
let api: WorkerChild & { url: string };
let browser: Browser;
let engine: TestEngine;
let version: string;
let link: MintedZeroKnowledgeLink;
let other: MintedZeroKnowledgeLink;
const contexts: BrowserContext[] = [];

const keyOf = (url: string) => new URL(url).hash.slice('#k='.length);
const envelopeOf = (url: string) => new URL(url).pathname.slice('/z/'.length);
const sealedOf = (url: string) => envelopeOf(url).slice(envelopeOf(url).lastIndexOf('.') + 1);

function mint(props: Record<string, unknown>, pseudonymousId: string): Promise<MintedZeroKnowledgeLink> {
  return mintZeroKnowledgeLink({ baseUrl: api.url, template: { ...yearRecap, version }, channel: 'web', props, pseudonymousId, campaignId: 'zk-e2e' });
}

/** A fresh context whose every request (URL, headers, body) is recorded. */
async function openCapturing(): Promise<{ page: Page; requests: Captured[]; errors: string[] }> {
  const context = await browser.newContext({ userAgent: USER_AGENT, viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  contexts.push(context);
  const requests: Captured[] = [];
  const pending: Promise<void>[] = [];
  context.on('request', (request) => {
    pending.push(
      request.allHeaders().then((headers) => {
        requests.push({ url: request.url(), method: request.method(), headers, body: request.postData() ?? '' });
      }),
    );
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  // Settled lazily: headers arrive asynchronously.
  Object.defineProperty(requests, 'settled', { value: () => Promise.all(pending) });
  return { page, requests, errors };
}

const settled = async (requests: Captured[]) => (requests as unknown as { settled: () => Promise<void> }).settled();
const frameOf = (page: Page) => page.locator('#zk-stage').getAttribute('data-frame').then(Number);

/**
 * Mean absolute difference per channel over a region (0-255), of the means
 * of `block` x `block` squares: blocks of 8 take away the sub-pixel glyph
 * placement that differs between an SVG image and a page, and keep what a
 * different text changes.
 */
function meanDiff(a: RgbImage, b: RgbImage, region = { x: 0, y: 0, width: a.width, height: a.height }, block = 1): number {
  let sum = 0;
  let count = 0;
  for (let by = region.y; by + block <= region.y + region.height; by += block) {
    for (let bx = region.x; bx + block <= region.x + region.width; bx += block) {
      for (let channel = 0; channel < 3; channel++) {
        let sa = 0;
        let sb = 0;
        for (let y = by; y < by + block; y++) {
          for (let x = bx; x < bx + block; x++) {
            const i = (y * a.width + x) * 3 + channel;
            sa += a.data[i]!;
            sb += b.data[i]!;
          }
        }
        sum += Math.abs(sa - sb) / (block * block);
        count++;
      }
    }
  }
  return sum / count;
}

beforeAll(async () => {
  redis = await startTestRedis();
  dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-zk-e2e-'));
  api = await startApiProcess({ redisUrl: redis.url, storeRoot: path.join(dir, 'storage'), env: { LOG_LEVEL: 'debug' } });
  const [launched, built] = await Promise.all([
    findChromium().then((found) => chromium.launch({ executablePath: found.path, args: CHROMIUM_ARGS })),
    createTestEngine({ poolSize: 1 }),
    mkdir(ARTIFACTS, { recursive: true }),
  ]);
  browser = launched;
  engine = built;
  // The brand learns the deployed version once (here from the farm); minting itself calls nothing.
  const described = await fetch(`${api.url}/v1/templates/year-recap`, { headers: { authorization: 'Bearer farm-key' } });
  version = ((await described.json()) as { version: string }).version;
  link = await mint(PROPS, 'pid-zuleika-0001');
  other = await mint(OTHER, 'pid-bartholomew-02');
}, 180_000);

afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await browser?.close();
  await engine?.close();
  await stopFarmProcesses(api ? [api] : []);
  await redis?.destroy();
  await rm(dir, { recursive: true, force: true });
});

/** Every key and value in Redis as text, read by type (DUMP would compress long strings). */
async function redisText(): Promise<string> {
  const client = new Redis(redis.url);
  try {
    const parts: string[] = [];
    for (const key of await client.keys('*')) {
      const type = await client.type(key);
      parts.push(key);
      if (type === 'string') parts.push((await client.get(key)) ?? '');
      else if (type === 'hash') parts.push(JSON.stringify(await client.hgetall(key)));
      else if (type === 'set') parts.push(JSON.stringify(await client.smembers(key)));
      else if (type === 'zset') parts.push(JSON.stringify(await client.zrange(key, '0', '-1', 'WITHSCORES')));
      else if (type === 'list') parts.push(JSON.stringify(await client.lrange(key, 0, -1)));
      else if (type === 'stream') parts.push(JSON.stringify(await client.xrange(key, '-', '+')));
    }
    return parts.join('\n');
  } finally {
    client.disconnect();
  }
}

/** Files under a folder (none when it does not exist). */
async function listFiles(folder: string): Promise<string[]> {
  try {
    return (await readdir(folder, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
  } catch {
    return [];
  }
}

/** Plays a link until its last frame (year-recap does not loop) and screenshots the stage there. */
async function playToEnd(page: Page, url: string, name: string): Promise<Buffer> {
  const response = await page.goto(url, { waitUntil: 'domcontentloaded' });
  expect(response!.status()).toBe(200);
  await page.waitForFunction(() => document.getElementById('zk-stage')?.dataset.mode === 'live', undefined, { timeout: 20_000 });
  await page.locator('#zk-stage .live', { hasText: name }).first().waitFor({ timeout: 10_000 });
  await page.waitForFunction((last) => document.getElementById('zk-stage')?.dataset.frame === String(last), LAST_FRAME, { timeout: 60_000 });
  return page.locator('#zk-stage').screenshot();
}

/** A server render (the farm's own pipeline) of one frame of year-recap, as RGB. */
async function serverFrame(props: Record<string, unknown>, frame: number): Promise<RgbImage> {
  const out = path.join(dir, `server-${String(props.firstName)}-${frame}.png`);
  await engine.renderVideo({ templateId: 'year-recap', variant: 'landscape', props, format: 'png', frame, out });
  return readRgb(out, FRAME);
}

describe('zero-knowledge page in Chromium, every request captured', () => {
  it('plays the personalised video and makes a real MP4 in the browser, with no prop value or key in any request, header, body or log line', async () => {
    const zuleika = await openCapturing();
    const bartholomew = await openCapturing();
    const logStart = api.output().length;
    const [zuleikaShot, bartholomewShot] = await Promise.all([playToEnd(zuleika.page, link.url, 'Zuleika'), playToEnd(bartholomew.page, other.url, 'Bartholomew')]);
    const page = zuleika.page;

    // Plays the personalised video: the two links differ only in firstName, and on their
    // last frame the live players differ where the greeting is, and nowhere else.
    const size = await page.locator('#zk-stage').boundingBox();
    const shot = { width: Math.round(size!.width), height: Math.round(size!.height) };
    const [a, b] = await Promise.all([decodeRgb(zuleikaShot, shot), decodeRgb(bartholomewShot, shot)]);
    const region = (x0: number, y0: number, x1: number, y1: number) => ({
      x: Math.round(x0 * shot.width),
      y: Math.round(y0 * shot.height),
      width: Math.round((x1 - x0) * shot.width),
      height: Math.round((y1 - y0) * shot.height),
    });
    const greeting = meanDiff(a, b, region(0.03, 0.08, 0.4, 0.16));
    const closingCard = meanDiff(a, b, region(0.45, 0.64, 0.95, 0.92));
    console.log(`live player, last frame, Zuleika vs Bartholomew: greeting region ${greeting.toFixed(2)}, closing card ${closingCard.toFixed(2)}`);
    expect(greeting).toBeGreaterThan(5);
    expect(closingCard).toBeLessThan(1);

    // Download: the MP4 is made in this browser.
    await page.locator('#zk-download').waitFor({ state: 'visible', timeout: 10_000 });
    const downloading = page.waitForEvent('download', { timeout: 300_000 });
    const clicked = Date.now();
    await page.locator('#zk-download').click();
    const download = await downloading;
    console.log(`in-browser MP4 of ${yearRecap.durationInFrames} frames at 1280x720 made in ${Date.now() - clicked} ms`);
    const file = path.join(ARTIFACTS, 'year-recap-zk.mp4');
    await download.saveAs(file);
    expect(download.suggestedFilename()).toBe('year-recap.mp4');
    await page.waitForFunction(() => document.getElementById('zk-stage')?.dataset.mode === 'live', undefined, { timeout: 20_000 });
    expect(await page.locator('#zk-msg').textContent()).toBe('Saved.');

    const info = await probe(file, { countFrames: true });
    expect(info.video).toMatchObject({ codec: 'h264', width: FRAME.width, height: FRAME.height, fps: yearRecap.fps, frames: yearRecap.durationInFrames });
    expect(info.audio).toMatchObject({ codec: 'opus', channels: 2, sampleRate: 48_000 });
    expect(info.durationSec).toBeGreaterThanOrEqual(7.9);
    expect(info.durationSec).toBeLessThanOrEqual(8.1);

    // The same frames as a server render of the same props, and not those of the other person.
    for (const frame of [30, 150, LAST_FRAME]) {
      const [browserMade, server] = await Promise.all([readRgb(file, FRAME, frame), serverFrame(PROPS, frame)]);
      const diff = meanDiff(browserMade, server);
      console.log(`frame ${frame}: in-browser MP4 vs server render, mean abs difference ${diff.toFixed(2)} / 255`);
      expect(diff).toBeLessThan(8);
    }
    const [last, sameServer, otherServer] = await Promise.all([readRgb(file, FRAME, LAST_FRAME), serverFrame(PROPS, LAST_FRAME), serverFrame(OTHER, LAST_FRAME)]);
    // "Hi Zuleika," / "Hi Bartholomew," at the top left.
    const greetingLine = { x: 44, y: 68, width: 256, height: 32 };
    const same = meanDiff(last, sameServer, greetingLine, 8);
    const different = meanDiff(last, otherServer, greetingLine, 8);
    console.log(`greeting region of the last frame: vs the same props ${same.toFixed(2)}, vs the other person's ${different.toFixed(2)}`);
    expect(different).toBeGreaterThan(same * 3);

    expect([...zuleika.errors, ...bartholomew.errors]).toEqual([]);

    // Nothing personal went anywhere: URL, every header, every body; and the server's log.
    const requests = [...zuleika.requests, ...bartholomew.requests];
    await Promise.all([settled(zuleika.requests), settled(bartholomew.requests)]);
    const keys = [keyOf(link.url), keyOf(other.url)];
    const logs = api.output().slice(logStart);
    await writeFile(path.join(ARTIFACTS, 'requests.json'), JSON.stringify(requests, null, 1));
    await writeFile(path.join(ARTIFACTS, 'server.log'), logs);
    expect(requests.length).toBeGreaterThan(4);
    for (const request of requests) {
      const text = [request.url, ...Object.entries(request.headers).flat(), request.body].join('\n');
      for (const secret of [...SECRETS, ...keys]) expect(text, `${request.method} ${request.url}`).not.toContain(secret);
      expect(new URL(request.url).origin, 'no third-party request').toBe(new URL(api.url).origin);
    }
    for (const secret of [...SECRETS, ...keys, sealedOf(link.url), sealedOf(other.url)]) expect(logs).not.toContain(secret);
    expect(logs).toContain('"route":"/z/:envelope"');

    // Beacons name the link's clear header (pseudonymous id, template, channel, campaign), never props.
    const beacons = zuleika.requests.filter((r) => r.url.endsWith('/v1/events'));
    expect(beacons.map((r) => (JSON.parse(r.body) as { type: string }).type)).toEqual(expect.arrayContaining(['page_view', 'play', 'complete']));
    for (const beacon of beacons) expect(Object.keys(JSON.parse(beacon.body) as object).sort()).toEqual(['id', 'meta', 'token', 'ts', 'type']);
    const metrics = await fetch(`${api.url}/v1/campaigns/zk:zk-e2e/metrics`, { headers: { authorization: 'Bearer farm-key' } });
    expect(metrics.status).toBe(200);
    const { overall } = (await metrics.json()) as { overall: { funnel: Record<string, number>; botEvents: number } };
    expect(overall.funnel).toMatchObject({ viewed: 2, played: 2, completed: 2 });
    expect(overall.botEvents).toBe(0);

    // What the server stored: events naming the pseudonymous ids, and nothing personal in any Redis value or file.
    const stored = await redisText();
    expect(stored).toContain('pid-zuleika-0001');
    expect(stored).toContain('pid-bartholomew-02');
    for (const secret of [...SECRETS, ...keys, sealedOf(link.url)]) expect(stored).not.toContain(secret);
    expect(await listFiles(path.join(dir, 'storage'))).toEqual([]);
  }, 600_000);

  it('refuses every server-side render of a zero-knowledge link by design, with a code that says why', async () => {
    const base = `${api.url}/z/${envelopeOf(link.url)}`;
    for (const asset of ['video.mp4', 'poster.jpg', 'preview.gif', 'still.png', 'status', 'cta/book']) {
      const res = await fetch(`${base}/${asset}`);
      expect(res.status, asset).toBe(403);
      const body = (await res.json()) as { code: string; message: string };
      expect(body.code).toBe('ZK_SERVER_RENDER_REFUSED');
      expect(body.message).toMatch(/never rendered on the server/);
    }
    const malformed = await fetch(`${api.url}/z/zk1.not-a-header.AAAA`);
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { code: string }).code).toBe('ZK_LINK_INVALID');
    // A link minted for a bundle this farm no longer serves: gone, with its reason.
    const stale = await mintZeroKnowledgeLink({ baseUrl: api.url, template: { ...yearRecap, version: '0123456789abcdef' }, channel: 'web', props: PROPS });
    const gone = await fetch(stale.url);
    expect(gone.status).toBe(410);
    expect(((await gone.json()) as { code: string }).code).toBe('ZK_TEMPLATE_VERSION_GONE');
    // The page itself: a strict policy, nothing cached, no referrer.
    const page = await fetch(base);
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toMatch(/script-src 'nonce-[A-Za-z0-9+/=]+' 'self'/);
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("img-src 'self' data: blob:");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https:/);
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('cache-control')).toBe('no-store');
    const html = await page.text();
    for (const secret of SECRETS) expect(html).not.toContain(secret);
    expect(html).not.toContain(sealedOf(link.url));
  });

  it('explains a link whose key is missing or whose sealed part was changed, and plays nothing', async () => {
    const { page, errors } = await openCapturing();
    const envelope = envelopeOf(link.url);
    const flipped = `${envelope.slice(0, -2)}${envelope.at(-2) === 'A' ? 'B' : 'A'}${envelope.at(-1)}`;
    for (const url of [link.url.replace(/#.*$/, ''), `${api.url}/z/${flipped}#k=${keyOf(link.url)}`, `${link.url.slice(0, -4)}AAAA`]) {
      await page.goto(url, { waitUntil: 'domcontentloaded' });
      await page.waitForFunction(() => document.getElementById('zk-stage')?.dataset.mode === 'error', undefined, { timeout: 20_000 });
      expect(await page.locator('#zk-msg').textContent()).toMatch(/incomplete or was changed/);
      expect(await page.locator('#zk-stage .live').count()).toBe(0);
      expect(await page.locator('#zk-download').isVisible()).toBe(false);
    }
    expect(errors).toEqual([]);
  });

  it('says plainly that it cannot make the MP4 where the browser has no H.264 encoder, and still plays', async () => {
    const { page, errors } = await openCapturing();
    // A browser without WebCodecs' VideoEncoder (as some builds are).
    await page.addInitScript(() => {
      delete (window as { VideoEncoder?: unknown }).VideoEncoder;
    });
    await page.goto(link.url, { waitUntil: 'domcontentloaded' });
    await page.waitForFunction(() => document.getElementById('zk-stage')?.dataset.mode === 'live', undefined, { timeout: 20_000 });
    await page.locator('#zk-msg').waitFor({ state: 'visible', timeout: 10_000 });
    expect(await page.locator('#zk-msg').textContent()).toMatch(/cannot make the MP4 itself.*still plays here/);
    expect(await page.locator('#zk-download').isVisible()).toBe(false);
    await page.waitForFunction(() => Number(document.getElementById('zk-stage')?.dataset.frame) > 10, undefined, { timeout: 20_000 });
    expect(errors).toEqual([]);
  });
});
