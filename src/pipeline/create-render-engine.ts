import path from 'node:path';
import type { Config } from '../config/index.js';
import { findChromium, findFfmpeg, findFfprobe } from '../encode/index.js';
import { createFootageServer, type FootageServer } from '../footage/index.js';
import { createDefaultRegistry } from './default-registry.js';
import { createRenderVideo, type RenderVideo } from './render-video.js';
import { createJoinChunks, type JoinChunks } from './split-render.js';
import { createOpenChunkStream, type OpenChunkStream } from './chunk-stream.js';
import { BrowserPool, resolveChromiumSandbox, type BrowserPoolOptions, type ChromiumSandboxDecision, createRemoteAssetFetcher } from '../render/index.js';
import type { TemplateRegistry } from '../templates/index.js';

export interface RenderEngine {
  registry: TemplateRegistry;
  pool: BrowserPool;
  renderVideo: RenderVideo;
  /** Joins chunks of a split render (rendered by any worker) into one MP4 (docs/split-render.md). */
  joinChunks: JoinChunks;
  /** The stream of a split master that streams (a cold Live URL): its chunks' video, in order, as one fragmented MP4. */
  openChunkStream: OpenChunkStream;
  /** Decoded <Video> frames of this process (stats for benches and tests). */
  footage: FootageServer;
  ffmpegPath: string;
  chromiumPath: string;
  /** Whether the browsers run in Chromium's sandbox, and why (RENDER_CHROMIUM_SANDBOX). */
  sandbox: ChromiumSandboxDecision;
  close(): Promise<void>;
}

/** What a caller may set instead of the config: the studio passes its own registry. */
export interface RenderEngineOverrides {
  poolSize?: number;
  registry?: TemplateRegistry;
  /** Every failed browser launch, with its reason (the render worker logs it). */
  onLaunchError?: BrowserPoolOptions['onLaunchError'];
}

/**
 * Wires the render engine from config: binaries are located (with install
 * hints when missing) and the sandbox decided (a trial launch) before
 * anything starts, then a browser pool is created; nothing connects anywhere.
 */
export async function createRenderEngine(config: Readonly<Config>, overrides: RenderEngineOverrides = {}): Promise<RenderEngine> {
  const [ffmpegPath, ffprobePath, chromium] = await Promise.all([
    findFfmpeg({ path: config.binaries.ffmpeg }),
    findFfprobe({ path: config.binaries.ffprobe }),
    findChromium({ path: config.binaries.chromium }),
  ]);
  const sandbox = await resolveChromiumSandbox(config.render.chromiumSandbox, { chromiumPath: chromium.path });
  const registry = overrides.registry ?? createDefaultRegistry(config);
  const remoteImages = createRemoteAssetFetcher(
    {},
    {
      cacheDir: path.join(config.cacheDir, 'remote-assets'),
      maxBytes: config.remoteAssets.maxBytes,
      timeoutMs: config.remoteAssets.timeoutMs,
      allowPrivateAddresses: config.remoteAssets.allowPrivateAddresses,
    },
  );
  const footage = createFootageServer(
    { ffmpegPath, ffprobePath, fetcher: remoteImages },
    { cacheMaxBytes: config.footage.cacheMaxBytes, jpegQuality: config.render.jpegQuality },
  );
  const pool = new BrowserPool({
    size: overrides.poolSize ?? config.render.poolSize,
    chromiumPath: chromium.path,
    sandbox: sandbox.enabled,
    remoteImages,
    videoFrames: footage,
    recycleAfterRenders: config.render.recycleAfterRenders,
    memoryCeilingBytes: config.render.memoryCeilingBytes,
    onLaunchError: overrides.onLaunchError,
  });
  const renderVideo = createRenderVideo({ registry, pool, media: footage, ffmpegPath, render: config.render, encode: config.encode });
  const joinChunks = createJoinChunks({ registry, media: footage, ffmpegPath });
  const openChunkStream = createOpenChunkStream({ registry, ffmpegPath });
  const close = async (): Promise<void> => {
    await pool.close();
    footage.close();
  };
  return { registry, pool, renderVideo, joinChunks, openChunkStream, footage, ffmpegPath, chromiumPath: chromium.path, sandbox, close };
}
