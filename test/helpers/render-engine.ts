import path from 'node:path';
import { templates } from '../../compositions/index.js';
import type { Template } from '../../src/composition/index.js';
import { compositionsDir } from '../../src/cli/render-engine.js';
import { loadConfig } from '../../src/config/index.js';
import { findChromium, findFfmpeg } from '../../src/encode/index.js';
import { createRenderVideo, type RenderVideo } from '../../src/pipeline/index.js';
import { BrowserPool, type RemoteImageSource } from '../../src/render/index.js';
import { createTemplateRegistry, type TemplateRegistry } from '../../src/templates/index.js';
import { fixtureTemplates } from '../fixtures/compositions/index.js';

export const repoRoot = path.resolve(import.meta.dirname, '../..');
export const fixturesDir = path.join(repoRoot, 'test/fixtures/compositions');

export interface TestEngine {
  registry: TemplateRegistry;
  pool: BrowserPool;
  renderVideo: RenderVideo;
  ffmpegPath: string;
  close(): Promise<void>;
}

/**
 * A real render engine (real Chromium, real ffmpeg) for a test file, over the
 * project's templates, the failure fixtures, or templates a test names.
 */
export async function createTestEngine(
  options: {
    poolSize?: number;
    fixtures?: boolean;
    remoteImages?: RemoteImageSource;
    frameTimeoutMs?: number;
    renderTimeoutMs?: number;
    recycleAfterRenders?: number;
    /** Other templates than the project's or the fixtures, bundled from `compositionsDir`. */
    templates?: readonly Template[];
    compositionsDir?: string;
  } = {},
): Promise<TestEngine> {
  const config = loadConfig({ ...process.env, MASTERCUT_CACHE_DIR: path.join(repoRoot, '.cache/test') });
  const [ffmpegPath, chromium] = await Promise.all([findFfmpeg(), findChromium()]);
  const registry = createTemplateRegistry({
    templates: options.templates ?? ((options.fixtures ? fixtureTemplates : templates) as readonly Template[]),
    compositionsDir: options.compositionsDir ?? (options.fixtures ? fixturesDir : compositionsDir),
    cacheDir: config.cacheDir,
  });
  const pool = new BrowserPool({
    size: options.poolSize ?? 2,
    chromiumPath: chromium.path,
    remoteImages: options.remoteImages,
    recycleAfterRenders: options.recycleAfterRenders,
  });
  const render = {
    ...config.render,
    frameTimeoutMs: options.frameTimeoutMs ?? config.render.frameTimeoutMs,
    renderTimeoutMs: options.renderTimeoutMs ?? config.render.renderTimeoutMs,
  };
  const renderVideo = createRenderVideo({ registry, pool, ffmpegPath, render, encode: config.encode });
  return { registry, pool, renderVideo, ffmpegPath, close: () => pool.close() };
}
