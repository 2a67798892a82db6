import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe } from '../../../src/encode/index.js';
import { createTestEngine, type TestEngine } from '../../helpers/render-engine.js';
import { decodeRgb, pixelAt } from '../../helpers/pixels.js';
import { HEIGHT, meanVolume, readPatternFrames, WIDTH, type Shown } from '../../helpers/video-pattern.js';

const FRAMES = 60;


const expected = (fn: (n: number) => Shown): Shown[] => Array.from({ length: FRAMES }, (_, n) => fn(n));

let dir: string;
let engine: TestEngine;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mastercut-video-'));
  engine = await createTestEngine({ poolSize: 2, fixtures: true });
});
afterAll(async () => {
  await engine?.close();
  await rm(dir, { recursive: true, force: true });
});

async function render(name: string, props: Record<string, unknown>): Promise<string> {
  const out = path.join(dir, `${name}.mp4`);
  await engine.renderVideo({ templateId: 'video-pattern', props, out });
  return out;
}

describe('<Video> in renders is frame-exact', () => {
  it('shows source frame N at frame N, with the source sound mixed in, decoding the footage once', async () => {
    const out = await render('plain', {});
    expect(await readPatternFrames(out)).toEqual(expected((n) => n));
    const info = await probe(out);
    expect(info.audio?.codec).toBe('aac');
    expect(info.durationSec).toBeCloseTo(2, 1);
    expect(await meanVolume(out, 0.1, 1.5)).toBeGreaterThan(-30);

    // A second recipient over the same footage: every frame from the cache, nothing decoded again.
    const before = engine.footage.stats();
    expect(before.framesDecoded).toBeGreaterThanOrEqual(FRAMES);
    const again = await render('plain-again', { offthread: true });
    expect(await readPatternFrames(again)).toEqual(expected((n) => n));
    const after = engine.footage.stats();
    expect(after.framesDecoded).toBe(before.framesDecoded);
    expect(after.misses).toBe(before.misses);
    // The page may reuse an image it already holds (frame 0 at mount): most frames, not all, are asked for.
    expect(after.hits - before.hits).toBeGreaterThanOrEqual(FRAMES - 2);
  });

  it('trims with startFrom and speeds up with playbackRate, inside a Sequence', async () => {
    const out = await render('trim-rate', { from: 5, startFrom: 10, playbackRate: 1.5 });
    expect(await readPatternFrames(out)).toEqual(expected((n) => (n < 5 ? 'none' : Math.min(89, Math.floor(10 + (n - 5) * 1.5)))));
    // Silent before the Sequence starts (frame 5 = 0.167 s), the tone after.
    expect(await meanVolume(out, 0, 0.12)).toBeLessThan(-60);
    expect(await meanVolume(out, 0.3, 1)).toBeGreaterThan(-30);
  });

  it('loops [startFrom, endAt)', async () => {
    const out = await render('loop', { startFrom: 20, endAt: 44, loop: true });
    expect(await readPatternFrames(out)).toEqual(expected((n) => 20 + (n % 24)));
    expect(await meanVolume(out, 0.1, 1.8)).toBeGreaterThan(-30);
  });

  it('leaves after endAt without loop, and its sound stops with it', async () => {
    const out = await render('end-at', { endAt: 30 });
    expect(await readPatternFrames(out)).toEqual(expected((n) => (n < 30 ? n : 'none')));
    expect(await meanVolume(out, 0.1, 0.8)).toBeGreaterThan(-30);
    expect(await meanVolume(out, 1.1, 0.8)).toBeLessThan(-60);
  });

  it('holds the last source frame past the end of the file', async () => {
    const out = await render('past-end', { startFrom: 60 });
    expect(await readPatternFrames(out)).toEqual(expected((n) => Math.min(89, 60 + n)));
  });

  it('maps a 25 fps source onto the 30 fps composition by time', async () => {
    const out = await render('fps25', { src: 'pattern25.mp4' });
    expect(await readPatternFrames(out)).toEqual(expected((n) => Math.floor((n * 25) / 30)));
    // That source has no sound: no audio stream is added for it.
    expect((await probe(out)).audio).toBeUndefined();
  });

  it('leaves a muted video out of the mix', async () => {
    const out = await render('muted', { muted: true });
    expect(await readPatternFrames(out)).toEqual(expected((n) => n));
    expect((await probe(out)).audio).toBeUndefined();
  });

  it('keeps the alpha channel of a VP9 source with transparent', async () => {
    const out = path.join(dir, 'alpha.png');
    await engine.renderVideo({ templateId: 'video-pattern', props: { src: 'alpha.webm', transparent: true }, out, frame: 3 });
    const image = await decodeRgb(await import('node:fs/promises').then((fs) => fs.readFile(out)), { width: WIDTH, height: HEIGHT });
    // The 160x90 source is stretched over 320x180: its transparent left half shows the grey background.
    const [r, g, b] = pixelAt(image, 40, 90);
    expect(Math.abs(r - 128) + Math.abs(g - 128) + Math.abs(b - 128)).toBeLessThan(20);
    const [red, green, blue] = pixelAt(image, 280, 90);
    expect(red).toBeGreaterThan(200);
    expect(green + blue).toBeLessThan(60);
  });

  it('fails the render naming a missing source file', async () => {
    const err = await engine.renderVideo({ templateId: 'video-pattern', props: { src: 'nope.mp4' }, out: path.join(dir, 'nope.mp4') }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TEMPLATE_ERROR' });
    expect((err as Error).message).toContain('static/nope.mp4');
  });
});
