import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSplitRender, type RenderChunk } from '../../../src/pipeline/index.js';
import { createTestEngine, type TestEngine } from '../../helpers/render-engine.js';
import { audioDifference, checkSplitVideo, framePsnr } from '../../helpers/split-checks.js';

/**
 * A split render (3 chunks, one of them lost once) against an unsplit render
 * of the same key: same frames within the encoder's tolerance, same frame
 * count and duration, a keyframe and continuous sound at every seam, both
 * streams starting at 0, the same sound.
 */
let engine: TestEngine;
let dir: string;
const FPS = 30;
const request = { templateId: 'year-recap', variant: 'landscape', props: { firstName: 'Ana' }, frames: { start: 0, end: 119 } };

beforeAll(async () => {
  engine = await createTestEngine({ poolSize: 1 });
  dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-split-'));
});
afterAll(async () => {
  await engine?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('split render', () => {
  it('decodes to the frames of an unsplit render, with a keyframe and continuous sound at every seam; a lost chunk is rendered again alone', async () => {
    const whole = path.join(dir, 'whole.mp4');
    await engine.renderVideo({ ...request, out: whole });

    const calls: number[] = [];
    const renderChunk: RenderChunk = async (chunk, index) => {
      calls.push(index);
      // The worker of chunk 1 dies on its first try (as a kill -9 would lose it).
      if (index === 1 && calls.filter((i) => i === 1).length === 1) throw new Error('worker lost');
      return engine.renderVideo(chunk);
    };
    const splitRender = createSplitRender({ registry: engine.registry, media: engine.footage, ffmpegPath: engine.ffmpegPath }, { minFrames: 2, chunks: 3 });
    const split = path.join(dir, 'split.mp4');
    const result = await splitRender({ ...request, out: split }, renderChunk);

    expect(result.chunks.map((c) => [c.start, c.end, c.attempts])).toEqual([
      [0, 40, 1],
      [40, 80, 2],
      [80, 120, 1],
    ]);
    expect(calls.filter((i) => i === 1)).toHaveLength(2);
    expect(calls.filter((i) => i !== 1)).toHaveLength(2);
    // The chunk files are gone; the output alone remains.
    expect((await readdir(dir)).sort()).toEqual(['split.mp4', 'whole.mp4']);

    const check = await checkSplitVideo(split, { fps: FPS, seams: [40, 80] });
    const reference = await checkSplitVideo(whole, { fps: FPS, seams: [] });
    expect(check.frames).toBe(120);
    expect(check.frames).toBe(reference.frames);
    expect(check.videoDurationSec).toBeCloseTo(4, 3);
    expect(check.videoDurationSec).toBeCloseTo(reference.videoDurationSec, 3);
    expect(check.audioDurationSec).toBeCloseTo(reference.audioDurationSec!, 3);
    expect(check.videoFirstPts).toBe(0);
    expect(Math.abs(check.audioPresented!)).toBeLessThan(0.001);
    // Every picture where n / fps puts it: no seam drifts.
    expect(check.frameTimeError).toBeLessThan(0.001);
    for (const seam of check.seams) {
      expect(seam.keyframe, `keyframe at ${seam.frame}`).toBe(true);
      expect(seam.audioGapSec, `audio gap at ${seam.frame}`).toBeLessThan(0.0001);
    }
    expect(check.audioGapSec).toBeLessThan(0.0001);

    // Same pictures as the unsplit render, within the encoder's tolerance: each side of each seam, and the ends.
    const sampled = [0, 39, 40, 41, 79, 80, 81, 119];
    const psnr = await framePsnr(split, whole, sampled);
    expect(psnr).toHaveLength(sampled.length);
    for (const [i, db] of psnr.entries()) expect(db, `PSNR of frame ${sampled[i]}`).toBeGreaterThan(38);
    // Same sound: it was mixed and encoded once, the way the unsplit render does it.
    const sound = await audioDifference(split, whole);
    expect(sound.samples).toBeGreaterThan(4 * 48_000 - 100);
    expect(sound.maxDiff).toBeLessThan(0.01);
    console.log(`split vs unsplit: PSNR ${psnr.map((db) => db.toFixed(1)).join(', ')} dB at frames ${sampled.join(', ')}; largest sample difference ${sound.maxDiff}`);
  }, 300_000);
});
