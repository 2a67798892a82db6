import path from 'node:path';
import { templates } from '../../compositions/index.js';
import type { Template } from '../../src/composition/index.js';
import { compositionsDir } from '../../src/pipeline/index.js';
import { loadConfig } from '../../src/config/index.js';
import { findChromium, findFfmpeg, findFfprobe } from '../../src/encode/index.js';
import { createFootageServer, type FootageFetcher, type FootageServer } from '../../src/footage/index.js';
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
  footage: FootageServer;
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
    remoteImages?: RemoteImageSource & FootageFetcher;
    /** Bytes of decoded <Video> frames kept (default 256 MiB). */
    footageCacheBytes?: number;
    frameTimeoutMs?: number;
    renderTimeoutMs?: number;
    recycleAfterRenders?: number;
    /** Other templates than the project's or the fixtures, bundled from `compositionsDir`. */
    templates?: readonly Template[];
    compositionsDir?: string;
  } = {},
): Promise<TestEngine> {
  const config = loadConfig({ ...process.env, MASTERCUT_CACHE_DIR: path.join(repoRoot, '.cache/test') });
  const [ffmpegPath, ffprobePath, chromium] = await Promise.all([findFfmpeg(), findFfprobe(), findChromium()]);
  const registry = createTemplateRegistry({
    templates: options.templates ?? ((options.fixtures ? fixtureTemplates : templates) as readonly Template[]),
    compositionsDir: options.compositionsDir ?? (options.fixtures ? fixturesDir : compositionsDir),
    cacheDir: config.cacheDir,
  });
  const footage = createFootageServer(
    { ffmpegPath, ffprobePath, fetcher: options.remoteImages },
    { cacheMaxBytes: options.footageCacheBytes ?? config.footage.cacheMaxBytes },
  );
  const pool = new BrowserPool({
    size: options.poolSize ?? 2,
    chromiumPath: chromium.path,
    remoteImages: options.remoteImages,
    videoFrames: footage,
    recycleAfterRenders: options.recycleAfterRenders,
  });
  const render = {
    ...config.render,
    frameTimeoutMs: options.frameTimeoutMs ?? config.render.frameTimeoutMs,
    renderTimeoutMs: options.renderTimeoutMs ?? config.render.renderTimeoutMs,
  };
  const renderVideo = createRenderVideo({ registry, pool, media: footage, ffmpegPath, render, encode: config.encode });
  const close = async (): Promise<void> => {
    await pool.close();
    footage.close();
  };
  return { registry, pool, renderVideo, footage, ffmpegPath, close };
}
