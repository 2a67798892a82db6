import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costOfFrames, createSplitRender, isCaptureProfile } from '../../../src/pipeline/index.js';
import { createTestEngine, type TestEngine } from '../../helpers/render-engine.js';
import { audioDifference, checkSplitVideo, framePsnr } from '../../helpers/split-checks.js';

/**
 * A split render cut by capture cost (a capture profile, as the render queue
 * keeps per template version) against an unsplit render: the seam falls
 * where the profile puts half the cost, not at half the frames, and the
 * joined video still passes the split checks (frame count, durations, a
 * keyframe and continuous sound at the seam, pictures and sound of the
 * unsplit render).
 */
let engine: TestEngine;
let dir: string;
const FPS = 30;
const request = { templateId: 'year-recap', variant: 'landscape', props: { firstName: 'Ana' }, frames: { start: 0, end: 119 } };
// year-recap has 240 frames. A letter profile (what older workers recorded, still read): frames 0-29 captured, the rest reused (half the cost): over 0-119 that is
// 30 + 45 = 75, so half the cost is reached at frame 45 where an equal cut would put the seam at 60.
const PROFILE = 'c'.repeat(30) + 'r'.repeat(210);
const SEAM = 45;

beforeAll(async () => {
  engine = await createTestEngine({ poolSize: 1 });
  dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-split-cost-'));
});
afterAll(async () => {
  await engine?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('split render cut by capture cost', () => {
  it('puts the seam where the profile splits the cost; the joined video decodes to the unsplit one', async () => {
    const whole = path.join(dir, 'whole.mp4');
    const unsplit = await engine.renderVideo({ ...request, out: whole });
    // The capture reports its profile: each frame's measured time, one symbol a frame.
    expect(isCaptureProfile(unsplit.captureProfile, 120)).toBe(true);
    expect(costOfFrames(unsplit.captureProfile).every((ms) => ms >= 1)).toBe(true);

    const splitRender = createSplitRender({ registry: engine.registry, media: engine.footage, ffmpegPath: engine.ffmpegPath }, { minFrames: 2, chunks: 2 });
    const split = path.join(dir, 'split.mp4');
    const result = await splitRender({ ...request, out: split }, (chunk) => engine.renderVideo(chunk), PROFILE);
    expect(result.chunks.map((c) => [c.start, c.end])).toEqual([
      [0, SEAM],
      [SEAM, 120],
    ]);
    // The chunks' profiles end to end: what a join records for the next cut.
    expect(isCaptureProfile(result.captureProfile, 120)).toBe(true);

    const check = await checkSplitVideo(split, { fps: FPS, seams: [SEAM] });
    const reference = await checkSplitVideo(whole, { fps: FPS, seams: [] });
    expect(check.frames).toBe(120);
    expect(check.frames).toBe(reference.frames);
    expect(check.videoDurationSec).toBeCloseTo(reference.videoDurationSec, 3);
    expect(check.audioDurationSec).toBeCloseTo(reference.audioDurationSec!, 3);
    expect(check.videoFirstPts).toBe(0);
    expect(Math.abs(check.audioPresented!)).toBeLessThan(0.001);
    expect(check.frameTimeError).toBeLessThan(0.001);
    for (const seam of check.seams) {
      expect(seam.keyframe, `keyframe at ${seam.frame}`).toBe(true);
      expect(seam.audioGapSec, `audio gap at ${seam.frame}`).toBeLessThan(0.0001);
    }
    expect(check.audioGapSec).toBeLessThan(0.0001);

    const sampled = [0, SEAM - 1, SEAM, SEAM + 1, 119];
    const psnr = await framePsnr(split, whole, sampled);
    for (const [i, db] of psnr.entries()) expect(db, `PSNR of frame ${sampled[i]}`).toBeGreaterThan(38);
    const sound = await audioDifference(split, whole);
    expect(sound.samples).toBeGreaterThan(4 * 48_000 - 100);
    expect(sound.maxDiff).toBeLessThan(0.01);
    console.log(`cost cut at ${SEAM}: PSNR ${psnr.map((db) => db.toFixed(1)).join(', ')} dB at frames ${sampled.join(', ')}; largest sample difference ${sound.maxDiff}`);
  }, 400_000);
});
