import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe } from '../../../src/encode/index.js';
import { createTestEngine, type TestEngine } from '../../helpers/render-engine.js';

let engine: TestEngine;
let dir: string;

beforeAll(async () => {
  engine = await createTestEngine({ poolSize: 2 });
  dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-render-'));
});
afterAll(async () => {
  await engine?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('renderVideo outputs, checked with ffprobe', () => {
  it('renders reference as H.264 MP4 with the requested frames and no audio', async () => {
    const out = path.join(dir, 'reference.mp4');
    const result = await engine.renderVideo({ templateId: 'reference', out, frames: { start: 0, end: 29 } });
    const info = await probe(out, { countFrames: true });
    expect(info.video).toMatchObject({ codec: 'h264', width: 1280, height: 720, pixFmt: 'yuv420p', frames: 30 });
    expect(info.video?.fps).toBeCloseTo(30, 5);
    expect(info.durationSec).toBeCloseTo(1, 1);
    expect(info.audio).toBeUndefined();
    expect(result).toMatchObject({ frames: 30, framesCaptured: 30, framesReused: 0, bytes: info.sizeBytes });
  });

  it('mixes the template soundtrack into AAC and sizes the square variant', async () => {
    const out = path.join(dir, 'recap-square.mp4');
    await engine.renderVideo({ templateId: 'year-recap', variant: 'square', out, frames: { start: 0, end: 29 } });
    const info = await probe(out, { countFrames: true });
    expect(info.video).toMatchObject({ codec: 'h264', width: 1080, height: 1080, frames: 30 });
    expect(info.audio).toMatchObject({ codec: 'aac' });
    expect(info.durationSec).toBeCloseTo(1, 1);
  });

  it('renders a portrait WebM (VP9)', async () => {
    const out = path.join(dir, 'tier.webm');
    await engine.renderVideo({ templateId: 'loyalty-tier', variant: 'portrait', out, frames: { start: 0, end: 14 } });
    const info = await probe(out, { countFrames: true });
    expect(info.video).toMatchObject({ codec: 'vp9', width: 720, height: 1280, frames: 15 });
  });

  it('renders an animated GIF with a palette', async () => {
    const out = path.join(dir, 'reference.gif');
    await engine.renderVideo({ templateId: 'reference', out, frames: { start: 0, end: 29 } });
    const info = await probe(out, { countFrames: true });
    expect(info.video?.codec).toBe('gif');
    expect(info.video?.width).toBe(480);
    expect(info.video?.frames).toBeGreaterThan(10);
  });

  it.each([
    ['png', 'png'],
    ['jpg', 'mjpeg'],
    ['webp', 'webp'],
  ])('renders a %s still of the poster frame', async (ext, codec) => {
    const out = path.join(dir, `still.${ext}`);
    const result = await engine.renderVideo({ templateId: 'loyalty-tier', variant: 'landscape', out });
    const info = await probe(out);
    expect(info.video).toMatchObject({ codec, width: 1280, height: 720 });
    expect(result.frames).toBe(1);
  });

  it('leaves no temporary files behind', async () => {
    const names = await readdir(dir);
    expect(names.filter((name) => name.includes('.partial'))).toEqual([]);
  });
});
