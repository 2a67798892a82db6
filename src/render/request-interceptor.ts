import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CDPSession, Protocol } from 'puppeteer-core';
import { VIDEO_FRAME_ORIGIN } from '../composition/index.js';
import { AppError } from '../errors/index.js';
import { BUNDLE_ORIGIN, bundleFilePath, type BundleRef } from './bundle-ref.js';

/** Fetches a remote image from Node with SSRF guards (see remote-assets/). */
export interface RemoteImageSource {
  fetch(url: string): Promise<{ path: string; contentType: string }>;
}

/**
 * Answers the frame requests of <Video> (URLs under VIDEO_FRAME_ORIGIN) with
 * the decoded source frame (see src/footage/). `bundle` is the page's
 * current bundle, for sources that are its static files.
 */
export interface VideoFrameSource {
  frame(requestUrl: string, bundle: BundleRef | undefined): Promise<{ body: Buffer; contentType: string }>;
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.m4a': 'audio/mp4',
  '.mp3': 'audio/mpeg',
  '.wav': 'audio/wav',
  '.ogg': 'audio/ogg',
};

/**
 * Every request of a capture page passes through here (CDP Fetch domain):
 * bundle files are served from disk, https images go through the guarded
 * remote fetcher, <Video> frames come from the frame source, and everything
 * else is refused. The page can therefore load only what the renderer allows.
 */
export class RequestInterceptor {
  private bundle: BundleRef | undefined;
  /** The first refused remote asset or video frame of the current render, reported instead of a vague image error. */
  assetError: AppError | undefined;

  constructor(
    private readonly session: CDPSession,
    private readonly remote: RemoteImageSource | undefined,
    private readonly videoFrames?: VideoFrameSource,
  ) {}

  async enable(): Promise<void> {
    this.session.on('Fetch.requestPaused', (event) => {
      this.handle(event).catch(() => {
        /* the page or browser went away mid-request; the render notices elsewhere */
      });
    });
    await this.session.send('Fetch.enable', { patterns: [{ urlPattern: '*' }] });
  }

  setBundle(bundle: BundleRef): void {
    this.bundle = bundle;
  }

  private async handle(event: Protocol.Fetch.RequestPausedEvent): Promise<void> {
    const { requestId } = event;
    try {
      const { body, contentType } = await this.resolve(event.request.url);
      await this.session.send('Fetch.fulfillRequest', {
        requestId,
        responseCode: 200,
        responseHeaders: [
          { name: 'Content-Type', value: contentType },
          { name: 'Cache-Control', value: 'no-store' },
        ],
        body: body.toString('base64'),
      });
    } catch (err) {
      const fromVideo = event.request.url.startsWith(`${VIDEO_FRAME_ORIGIN}/`);
      if (err instanceof AppError && (fromVideo || err.code.startsWith('ASSET_'))) this.assetError ??= err;
      await this.session.send('Fetch.failRequest', { requestId, errorReason: 'BlockedByClient' });
    }
  }

  private async resolve(url: string): Promise<{ body: Buffer; contentType: string }> {
    if (url.startsWith(`${BUNDLE_ORIGIN}/`)) return this.fromBundle(url);
    if (url.startsWith(`${VIDEO_FRAME_ORIGIN}/`) && this.videoFrames) return this.videoFrames.frame(url, this.bundle);
    if (url.startsWith('https://') && this.remote) {
      const asset = await this.remote.fetch(url);
      return { body: await readFile(asset.path), contentType: asset.contentType };
    }
    throw new AppError('ASSET_FORBIDDEN', `blocked a request from the page to ${safeOrigin(url)}`);
  }

  private async fromBundle(url: string): Promise<{ body: Buffer; contentType: string }> {
    const file = bundleFilePath(this.bundle, url);
    const type = contentTypes[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
    return { body: await readFile(file), contentType: type };
  }
}

/** Only the origin: paths and query strings of customer assets may carry personal data. */
function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'an invalid URL';
  }
}
