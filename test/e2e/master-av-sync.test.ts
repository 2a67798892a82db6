import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findChromium } from '../../src/encode/index.js';
import { audioLagMs, chromiumFirstFrameTime, streamStarts, type StreamStarts } from '../helpers/av-sync.js';
import { repoRoot } from '../helpers/render-engine.js';
import { startTestRedis, type EmbeddedRedis } from '../helpers/redis-server.js';
import { startApiProcess, startTranscodeProcess, startWorkerProcess, stopFarmProcesses, untilReady, type WorkerChild } from '../helpers/worker-process.js';

/**
 * Sound in sync on every path a master takes, through the real farm: the
 * fragmented MP4 streamed to the first viewer of a cold Live URL, the
 * faststart copy the cache keeps of it, the copy whose page audio (a
 * <Video>'s sound) is mixed in afterwards, and a normal render. In each, the
 * first video frame and the first audio sample are presented at 0, and the
 * soundtrack is heard where it was placed (its attacks line up with the
 * source's to the millisecond).
 */
let redis: EmbeddedRedis;
let dir: string;
let api: WorkerChild & { url: string };
let browser: Browser;
const children: WorkerChild[] = [];
const MUSIC = path.join(repoRoot, 'compositions/year-recap/public/music.m4a');

const post = async <T>(url: string, body: unknown): Promise<T> => {
  const res = await fetch(`${api.url}${url}`, {
    method: 'POST',
    headers: { authorization: 'Bearer farm-key', 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status, `POST ${url}`).toBeLessThan(300);
  return (await res.json()) as T;
};

async function download(url: string, name: string): Promise<{ file: string; streamed: boolean }> {
  const res = await fetch(`${api.url}${url}`);
  expect(res.status, `GET ${url}`).toBe(200);
  const file = path.join(dir, name);
  await writeFile(file, Buffer.from(await res.arrayBuffer()));
  return { file, streamed: res.headers.get('x-mastercut-stream') === 'live' };
}

async function untilStored(linkUrl: string): Promise<void> {
  for (const deadline = Date.now() + 120_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
    if (((await (await fetch(`${api.url}${linkUrl}/status`)).json()) as { ready: boolean }).ready) return;
  }
  throw new Error('the master was never stored');
}

/** A cold Live URL's master: the streamed bytes, then the cached copy. */
async function liveMaster(templateId: string, props: Record<string, unknown>): Promise<{ streamed: string; cached: string }> {
  const { links } = await post<{ links: { url: string; assets: Record<string, string> }[] }>('/v1/live-links', { templateId, channels: ['web'], props });
  const link = links[0]!;
  const cold = await download(link.assets.video!, `${templateId}-streamed.mp4`);
  expect(cold.streamed, 'the cold master was streamed while it rendered').toBe(true);
  await untilStored(link.url);
  const warm = await download(link.assets.video!, `${templateId}-cached.mp4`);
  expect(warm.streamed).toBe(false);
  return { streamed: cold.file, cached: warm.file };
}

/** A normal render (API render, not streamed). */
async function renderedMaster(templateId: string, props: Record<string, unknown>): Promise<string> {
  const status = await post<{ state: string; links: { output: string } }>('/v1/renders?wait=120', { templateId, props });
  expect(status.state).toBe('done');
  return (await download(status.links.output, `${templateId}-rendered.mp4`)).file;
}

/** Both templates: 30 fps. */
const FPS = 30;

function expectStartsAtZero(starts: StreamStarts, what: string, durationSec: number, audio = true): void {
  expect(starts.video.firstPts, `${what}: first video packet`).toBeCloseTo(0, 6);
  expect(starts.video.startTime, `${what}: video start_time`).toBeCloseTo(0, 6);
  // Every picture where its index puts it (a muxer shift can leave the first at 0 and move all the others).
  expect(starts.video.frameTimeError, `${what}: pictures off n / fps by (s)`).toBeLessThan(0.0005);
  expect(starts.video.durationSec, `${what}: video duration`).toBeCloseTo(durationSec, 3);
  if (!audio) return void expect(starts.audio, `${what}: no audio yet`).toBeNull();
  expect(starts.audio, `${what}: audio`).not.toBeNull();
  expect(starts.audio!.startTime, `${what}: audio start_time`).toBeCloseTo(0, 6);
  // The first audio packet is at 0, or is the encoder's priming that the edit list skips: either way heard from 0.
  expect(starts.audio!.presented, `${what}: first audio sample heard`).toBeCloseTo(0, 4);
  expect(starts.audio!.durationSec, `${what}: audio duration`).toBeCloseTo(durationSec, 3);
}

beforeAll(async () => {
  redis = await startTestRedis();
  dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-av-sync-'));
  const common = { redisUrl: redis.url, storeRoot: path.join(dir, 'storage'), args: ['--eviction-check', 'warn'] };
  api = await startApiProcess({ ...common, args: [] });
  children.push(api, startWorkerProcess(common), startTranscodeProcess(common));
  await Promise.all(children.slice(1).map((c) => untilReady(c)));
  browser = await chromium.launch({ executablePath: (await findChromium()).path, args: ['--no-sandbox', '--disable-gpu', '--autoplay-policy=no-user-gesture-required'] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stopFarmProcesses(children);
  await redis?.destroy();
  await rm(dir, { recursive: true, force: true });
});

describe('master video and audio start together (ffprobe) on every path', () => {
  it('year-recap (template soundtrack): streamed fragmented MP4, its faststart copy, and a normal render', async () => {
    const props = { firstName: 'Sync', nightsStayed: 12 };
    const live = await liveMaster('year-recap', props);
    const rendered = await renderedMaster('year-recap', { ...props, firstName: 'Rendered' });
    for (const [what, file] of [
      ['streamed', live.streamed],
      ['cached copy', live.cached],
      ['normal render', rendered],
    ] as const) {
      expectStartsAtZero(await streamStarts(file, FPS), what, 8);
      // The viewer's reading: Chromium puts the first picture at 0 too (it read the streamed bytes at 66 ms before the fix).
      expect(await chromiumFirstFrameTime(browser, file), `${what}: Chromium's first frame`).toBe(0);
      // The soundtrack's arpeggio attacks (every 250 ms) where the music has them, not one AAC frame (21 ms) late.
      expect(Math.abs(await audioLagMs(file, MUSIC, { fromMs: 500, toMs: 6_000 })), `${what}: soundtrack lag (ms)`).toBeLessThanOrEqual(2);
    }
  }, 300_000);

  it('welcome-clip (<Video> sound mixed in after the frames): streamed, its copy with the mix, and a normal render', async () => {
    const live = await liveMaster('welcome-clip', { firstName: 'Clip' });
    const rendered = await renderedMaster('welcome-clip', { firstName: 'Rendered' });
    // The streamed bytes have no sound yet: a <Video>'s is known once its frames are rendered.
    expectStartsAtZero(await streamStarts(live.streamed, FPS), 'streamed', 6, false);
    expectStartsAtZero(await streamStarts(live.cached, FPS), 'cached copy (page audio mixed in)', 6);
    expectStartsAtZero(await streamStarts(rendered, FPS), 'normal render', 6);
  }, 300_000);
});
