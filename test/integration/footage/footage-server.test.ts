import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildVideoFrameUrl, type VideoFrameRequest } from '../../../src/composition/index.js';
import { findFfmpeg, findFfprobe } from '../../../src/encode/index.js';
import { createFootageServer, type FootageServer } from '../../../src/footage/index.js';
import { bundleUrl, type BundleRef } from '../../../src/render/index.js';
import { decodeRgb } from '../../helpers/pixels.js';
import { repoRoot } from '../../helpers/render-engine.js';

const FIXTURES = path.join(repoRoot, 'test/fixtures/compositions/video-pattern/public');
let dir: string;
let bundle: BundleRef;
let server: FootageServer;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mastercut-footage-'));
  bundle = { templateId: 'video-pattern', version: 'v1', dir };
  await mkdir(path.join(dir, 'static'));
  for (const file of ['pattern.mp4', 'pattern25.mp4']) await copyFile(path.join(FIXTURES, file), path.join(dir, 'static', file));
  await writeFile(path.join(dir, 'static', 'notes.mp4'), 'not a video at all');
  await writeFile(path.join(dir, 'index.html'), '<!doctype html>');
  server = createFootageServer({ ffmpegPath: await findFfmpeg(), ffprobePath: await findFfprobe() }, { decodeAheadFrames: 60 });
});
afterAll(async () => {
  server?.close();
  await rm(dir, { recursive: true, force: true });
});

const request = (frame: number, extra: Partial<VideoFrameRequest> = {}) =>
  buildVideoFrameUrl({ src: bundleUrl(bundle, 'static/pattern.mp4'), frame, fps: 30, startFrom: 0, playbackRate: 1, loop: false, format: 'jpeg', ...extra });

/** The frame number a decoded pattern frame shows (bits across the top). */
async function numberShown(jpeg: Buffer): Promise<number> {
  const image = await decodeRgb(jpeg, { width: 320, height: 180 });
  let value = 0;
  for (let bit = 0; bit < 8; bit++) if (image.data[(45 * 320 + bit * 40 + 20) * 3]! > 128) value |= 1 << bit;
  return value;
}

describe('the footage server', () => {
  it('answers 60 concurrent frame requests with one decode run, each the exact frame', async () => {
    const answers = await Promise.all(Array.from({ length: 60 }, (_, n) => server.frame(request(n), bundle)));
    expect(answers.every((a) => a.contentType === 'image/jpeg')).toBe(true);
    expect(await Promise.all(answers.map((a) => numberShown(a.body)))).toEqual(Array.from({ length: 60 }, (_, n) => n));
    expect(server.stats()).toMatchObject({ decodeRuns: 1, framesDecoded: 60 });
    // Asked again: from the cache.
    await server.frame(request(30), bundle);
    expect(server.stats()).toMatchObject({ decodeRuns: 1, framesDecoded: 60 });
    expect(server.stats().hits).toBeGreaterThanOrEqual(1);
  });

  it('starts a run where a later frame is first asked for (accurate seek, mid-GOP)', async () => {
    const answer = await server.frame(request(0, { startFrom: 77 }), bundle);
    expect(await numberShown(answer.body)).toBe(77);
  });

  it('tells the mixer where a source’s sound is', async () => {
    expect(await server.media('static/pattern.mp4', bundle)).toMatchObject({ path: path.join(dir, 'static/pattern.mp4'), hasAudio: true, durationSec: 3 });
    expect(await server.media('static/pattern25.mp4', bundle)).toMatchObject({ hasAudio: false, durationSec: 3 });
  });

  it('refuses a file that is not a video, naming it', async () => {
    const err = await server.frame(request(0, { src: bundleUrl(bundle, 'static/notes.mp4') }), bundle).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'VIDEO_UNREADABLE' });
    expect((err as Error).message).toContain('static/notes.mp4');
  });

  it('serves only the bundle’s static files and https URLs', async () => {
    const refused = async (src: string) => (await server.frame(request(0, { src }), bundle).catch((e: unknown) => e)) as { code: string };
    expect((await refused(bundleUrl(bundle, 'index.html'))).code).toBe('ASSET_FORBIDDEN');
    expect((await refused(`${bundleUrl(bundle, '')}..%2F..%2Fetc%2Fpasswd`)).code).toBe('INVALID_KEY');
    expect((await refused(bundleUrl({ ...bundle, version: 'other' }, 'static/pattern.mp4'))).code).toBe('NOT_FOUND');
    expect((await refused('http://cdn.example.com/a.mp4')).code).toBe('ASSET_FORBIDDEN');
    expect((await refused('file:///etc/passwd')).code).toBe('ASSET_FORBIDDEN');
    // No fetcher given: remote sources are off.
    expect((await refused('https://cdn.example.com/a.mp4')).code).toBe('ASSET_FORBIDDEN');
    const malformed = await server.frame(`${request(0)}&frame=-1`.replace(/frame=0&/, ''), bundle).catch((e: unknown) => e);
    expect(malformed).toMatchObject({ code: 'TEMPLATE_ERROR' });
  });
});
