import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureFrames, type CaptureFramesOptions } from '../../../src/render/index.js';
import { countNear, decodeRgb, near, pixelAt } from '../../helpers/pixels.js';
import { createTestEngine, type TestEngine } from '../../helpers/render-engine.js';

let engine: TestEngine;

beforeAll(async () => {
  engine = await createTestEngine({ poolSize: 2 });
});
afterAll(async () => {
  await engine?.close();
});

/** Captures frames as PNG (lossless) and returns them by frame number. */
async function capture(
  templateId: string,
  variant: string,
  firstFrame: number,
  lastFrame: number,
  extra: Partial<CaptureFramesOptions> = {},
): Promise<{ frames: Map<number, Buffer>; reused: number; captured: number }> {
  const template = engine.registry.get(templateId);
  const size = template.variants[variant]!;
  const frames = new Map<number, Buffer>();
  const result = await captureFrames({
    pool: engine.pool,
    bundle: await engine.registry.bundle(templateId),
    variant,
    width: size.width,
    height: size.height,
    props: engine.registry.validateProps(template, {}),
    firstFrame,
    lastFrame,
    format: 'png',
    quality: 100,
    concurrency: 2,
    chunkSize: 5,
    delayRenderTimeoutMs: 10_000,
    frameTimeoutMs: 20_000,
    onFrame: async (frame, image) => void frames.set(frame, image),
    ...extra,
  });
  return { frames, reused: result.framesReused, captured: result.framesCaptured };
}

const BG_START: [number, number, number] = [0x1e, 0x3c, 0x72];
const BG_END: [number, number, number] = [0x2a, 0x52, 0x98];
const YELLOW: [number, number, number] = [255, 255, 0];
const WHITE: [number, number, number] = [255, 255, 255];
const CREAM: [number, number, number] = [255, 255, 0xdd];
const size = { width: 1280, height: 720 };

describe('reference pixels', () => {
  it('puts the expected colours in the expected regions', async () => {
    const { frames } = await capture('reference', 'landscape', 0, 0);
    const { frames: later } = await capture('reference', 'landscape', 75, 75);
    const first = await decodeRgb(frames.get(0)!, size);
    const mid = await decodeRgb(later.get(75)!, size);

    // The gradient runs from the top-left colour to the bottom-right one.
    expect(near(pixelAt(first, 2, 2), BG_START, 8)).toBe(true);
    expect(near(pixelAt(first, 1277, 717), BG_END, 8)).toBe(true);
    // Frame 0: the circle's centre is at left 0 + 100, top 400 + 100; the title is fully transparent.
    expect(near(pixelAt(first, 100, 500), YELLOW, 30)).toBe(true);
    expect(near(pixelAt(first, 640, 500), YELLOW, 60)).toBe(false);
    expect(countNear(first, { x: 60, y: 200, width: 700, height: 100 }, WHITE, 30)).toBe(0);
    // Frame 75 (p = 0.5): the circle has moved to left 540, the title is opaque and the points line is drawn.
    expect(near(pixelAt(mid, 640, 500), YELLOW, 30)).toBe(true);
    expect(near(pixelAt(mid, 100, 500), YELLOW, 60)).toBe(false);
    expect(countNear(mid, { x: 60, y: 200, width: 700, height: 100 }, WHITE, 30)).toBeGreaterThan(2000);
    expect(countNear(mid, { x: 100, y: 320, width: 500, height: 50 }, CREAM, 30)).toBeGreaterThan(500);
  });

  it('gives identical frames for the same input rendered twice', async () => {
    const a = await capture('reference', 'landscape', 20, 29);
    const b = await capture('reference', 'landscape', 20, 29, { concurrency: 1 });
    expect(a.frames.size).toBe(10);
    for (let frame = 20; frame <= 29; frame++) expect(b.frames.get(frame)!.equals(a.frames.get(frame)!)).toBe(true);
    // Every frame of reference moves: nothing may be reused.
    expect(a.reused).toBe(0);
  });
});

describe('static-frame reuse', () => {
  it('reuses frames in the year-recap hold, and they equal freshly captured ones', async () => {
    const reused = await capture('year-recap', 'landscape', 180, 199, { concurrency: 1 });
    expect(reused.reused).toBeGreaterThanOrEqual(18);
    const fresh = await capture('year-recap', 'landscape', 180, 199, { reuseStaticFrames: false });
    expect(fresh.reused).toBe(0);
    for (let frame = 180; frame <= 199; frame++) {
      expect(reused.frames.get(frame)!.equals(fresh.frames.get(frame)!), `frame ${frame}`).toBe(true);
    }
  });

  it('captures again as soon as the DOM changes, in any browser', async () => {
    // Frames 160-185 cross from the last animation into the hold; the fresh
    // run splits them over two browsers, so this also checks that a frame does
    // not depend on which frames its browser drew before.
    const crossing = await capture('year-recap', 'landscape', 160, 185, { concurrency: 1, chunkSize: 30 });
    const fresh = await capture('year-recap', 'landscape', 160, 185, { reuseStaticFrames: false });
    for (let frame = 160; frame <= 185; frame++) {
      expect(crossing.frames.get(frame)!.equals(fresh.frames.get(frame)!), `frame ${frame}`).toBe(true);
    }
    expect(crossing.captured).toBeGreaterThan(1);
  });
});
