import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/errors/index.js';
import type { Template } from '../../../src/composition/index.js';
import { countNear, pixelAt, readRgb } from '../../helpers/pixels.js';
import { createTestEngine, fixturesDir, type TestEngine } from '../../helpers/render-engine.js';
import stillCard from '../../fixtures/compositions/still-card/index.js';

let engine: TestEngine;
let dir: string;

beforeAll(async () => {
  engine = await createTestEngine({ poolSize: 1, templates: [stillCard as unknown as Template], compositionsDir: fixturesDir });
  dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-still-'));
});
afterAll(async () => {
  await engine?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('a defineStill() template, through the render path of `mastercut still`', () => {
  it('renders its one frame as a PNG with exact colours from its zColor props', async () => {
    const out = path.join(dir, 'card.png');
    const result = await engine.renderVideo({
      templateId: 'still-card',
      variant: 'wide',
      props: { background: 'rgb(10, 200, 30)', accent: '#ff00ff' },
      format: 'png',
      out,
    });
    expect(result).toMatchObject({ frames: 1, width: 480, height: 270, format: 'png' });
    const image = await readRgb(out, { width: 480, height: 270 });
    expect(pixelAt(image, 2, 2)).toEqual([10, 200, 30]);
    expect(pixelAt(image, 240, 90)).toEqual([255, 0, 255]);
    // The accent box is 240x100 at (120, 40).
    expect(countNear(image, { x: 0, y: 0, width: 480, height: 270 }, [255, 0, 255], 0)).toBe(240 * 100);
  });

  it('refuses a video format and frames other than 0, and invalid colour props', async () => {
    const refused = async (request: Parameters<TestEngine['renderVideo']>[0], text: RegExp) => {
      const error = await engine.renderVideo(request).catch((e: unknown) => e);
      expect(isAppError(error)).toBe(true);
      expect((error as Error).message).toMatch(text);
    };
    await refused({ templateId: 'still-card', out: path.join(dir, 'card.mp4') }, /is a still \(defineStill\): render it as png, jpg or webp/);
    await refused({ templateId: 'still-card', out: path.join(dir, 'f1.png'), frame: 1 }, /frame 1 is outside the composition \(0-0\)/);
    await refused({ templateId: 'still-card', out: path.join(dir, 'bad.png'), props: { background: 'blurple' } }, /background/);
  });
});
