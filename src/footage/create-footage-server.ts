import { parseVideoFrameUrl, sourceFrameIndex, videoSourcePosition } from '../composition/index.js';
import { AppError, isAppError } from '../errors/index.js';
import type { BundleRef, VideoFrameSource } from '../render/index.js';
import { startDecodeRun } from './decode-run.js';
import { resolveFootageOptions, type FootageOptions } from './footage-options.schema.js';
import { FrameCache, type FrameCacheStats } from './frame-cache.js';
import { locateFootage, type FootageFetcher } from './locate-footage.js';
import { probeFootage, type FootageInfo, type VideoStreamInfo } from './probe-footage.js';

export interface FootageServerDeps {
  ffmpegPath: string;
  ffprobePath: string;
  /** Downloads https sources; without it only the bundle's own files can be shown. */
  fetcher?: FootageFetcher;
}

/** A source ready to use: its file, a key that changes with its content, and its probe. */
interface OpenSource {
  path: string;
  label: string;
  id: string;
  info: FootageInfo;
}

/** A source with a video stream, ready to decode. */
interface OpenVideo extends OpenSource {
  video: VideoStreamInfo;
}

/** What a mixer needs to use a source's sound. */
export interface FootageMedia {
  path: string;
  hasAudio: boolean;
  /** Length of the source, seconds (a looped sound without endAt repeats this much). */
  durationSec: number;
}

export interface FootageStats extends FrameCacheStats {
  framesDecoded: number;
  decodeRuns: number;
  hits: number;
  misses: number;
}

/**
 * The renderer side of <Video>: answers the capture pages' frame requests
 * with the exact source frame (see video-frame-request.ts for the timing),
 * and tells the mixer where a source's sound is. One per worker process.
 */
export interface FootageServer extends VideoFrameSource {
  media(src: string, bundle: BundleRef | undefined): Promise<FootageMedia>;
  stats(): FootageStats;
  /** Stops running decoders; pending frame requests fail. */
  close(): void;
}

interface Waiter {
  resolve: (image: Buffer) => void;
  reject: (err: unknown) => void;
}

/** A decode run as the server tracks it, from before its ffmpeg starts. */
interface Run {
  key: string;
  first: number;
  end: number;
  /** The next frame it will deliver. */
  next: number;
  kill: () => void;
}

const MAX_SOURCES = 256;
const contentTypes = { jpeg: 'image/jpeg', png: 'image/png' } as const;

/**
 * Creates the frame server. Frames are decoded by ffmpeg in runs of
 * `decodeAheadFrames` from the first one asked for (a render asks in order,
 * so one run serves many requests), kept in a byte-bounded LRU cache shared
 * by every render of the process, and concurrent requests for one frame
 * share one decode.
 */
export function createFootageServer(deps: FootageServerDeps, options: FootageOptions = {}): FootageServer {
  const opts = resolveFootageOptions(options);
  const cache = new FrameCache(opts.cacheMaxBytes);
  const sources = new Map<string, Promise<FootageInfo>>();
  const runs = new Set<Run>();
  const waiters = new Map<string, Waiter[]>();
  const counters = { framesDecoded: 0, decodeRuns: 0, hits: 0, misses: 0 };
  let closed = false;

  async function open(src: string, bundle: BundleRef | undefined): Promise<OpenSource> {
    const located = await locateFootage(src, bundle, deps.fetcher);
    const id = located.identity;
    let probing = sources.get(id);
    if (!probing) {
      probing = probeFootage(located.path, located.label, deps.ffprobePath);
      probing.catch(() => sources.delete(id));
      sources.set(id, probing);
      if (sources.size > MAX_SOURCES) sources.delete(sources.keys().next().value!);
    }
    return { path: located.path, label: located.label, id, info: await probing };
  }

  const frameKey = (source: OpenVideo, format: string, index: number) => `${source.id}#${format}#${index}`;

  function deliver(key: string, image: Buffer): void {
    const list = waiters.get(key);
    waiters.delete(key);
    for (const w of list ?? []) w.resolve(image);
  }

  function frame(source: OpenVideo, format: 'jpeg' | 'png', index: number): Promise<Buffer> {
    if (closed) return Promise.reject(new AppError('INTERNAL', 'the footage server is closed'));
    const key = frameKey(source, format, index);
    const cached = cache.get(key);
    if (cached) {
      counters.hits += 1;
      return Promise.resolve(cached);
    }
    counters.misses += 1;
    return new Promise<Buffer>((resolve, reject) => {
      const list = waiters.get(key) ?? [];
      list.push({ resolve, reject });
      waiters.set(key, list);
      const runKey = `${source.id}#${format}`;
      const covered = [...runs].some((r) => r.key === runKey && r.first <= index && index < r.end && r.next <= index);
      if (!covered) startRun(source, format, index);
    });
  }

  function startRun(source: OpenVideo, format: 'jpeg' | 'png', first: number): void {
    const count = Math.max(1, Math.min(opts.decodeAheadFrames, source.video.frameCount - first));
    // Registered before ffmpeg even starts, so concurrent requests join this run.
    const run: Run = { key: `${source.id}#${format}`, first, end: first + count, next: first, kill: () => undefined };
    runs.add(run);
    counters.decodeRuns += 1;
    const fail = (err: unknown): void => {
      runs.delete(run);
      failRange(source, format, first, first + count, decodeError(source, err));
    };
    startDecodeRun({
      ffmpegPath: deps.ffmpegPath,
      file: source.path,
      video: source.video,
      first,
      count,
      format,
      quality: opts.jpegQuality,
      onFrame: (index, image) => {
        counters.framesDecoded += 1;
        run.next = index + 1;
        const key = frameKey(source, format, index);
        cache.set(key, image);
        deliver(key, image);
      },
    }).then((decoding) => {
      run.kill = decoding.kill;
      if (closed) decoding.kill();
      decoding.finished.then((delivered) => {
        runs.delete(run);
        if (delivered < count) shortSource(source, format, first + delivered, first + count);
      }, fail);
    }, fail);
  }

  /** The file holds fewer frames than its header said: requests past its real end get its last frame. */
  function shortSource(source: OpenVideo, format: 'jpeg' | 'png', realEnd: number, end: number): void {
    if (realEnd === 0) {
      failRange(source, format, 0, end, new AppError('VIDEO_UNREADABLE', `<Video> source ${source.label}: no frame could be decoded`));
      return;
    }
    source.video.frameCount = Math.min(source.video.frameCount, realEnd);
    const last = source.video.frameCount - 1;
    for (let index = realEnd; index < end; index++) {
      const key = frameKey(source, format, index);
      const list = waiters.get(key);
      if (!list) continue;
      waiters.delete(key);
      const fallback = frame(source, format, last);
      for (const w of list) fallback.then(w.resolve, w.reject);
    }
  }

  function failRange(source: OpenVideo, format: 'jpeg' | 'png', first: number, end: number, err: unknown): void {
    for (let index = first; index < end; index++) {
      const key = frameKey(source, format, index);
      const list = waiters.get(key);
      waiters.delete(key);
      for (const w of list ?? []) w.reject(err);
    }
  }

  return {
    async frame(requestUrl, bundle) {
      let request;
      try {
        request = parseVideoFrameUrl(requestUrl);
      } catch (err) {
        throw new AppError('TEMPLATE_ERROR', (err as Error).message, { cause: err });
      }
      const source = await open(request.src, bundle);
      const video = source.info.video;
      if (!video) throw new AppError('VIDEO_UNREADABLE', `<Video> source ${source.label} has no video stream`);
      const sourceFrames = (video.frameCount * request.fps) / video.fps;
      const position = videoSourcePosition(request, request.frame, sourceFrames);
      const index = sourceFrameIndex(position, request.fps, video.fps, video.frameCount);
      return { body: await frame({ ...source, video }, request.format, index), contentType: contentTypes[request.format] };
    },
    async media(src, bundle) {
      const source = await open(src, bundle);
      return { path: source.path, hasAudio: source.info.hasAudio, durationSec: source.info.durationSec };
    },
    stats: () => ({ ...counters, ...cache.stats() }),
    close() {
      closed = true;
      for (const run of runs) run.kill();
    },
  };
}

function decodeError(source: OpenVideo, err: unknown): unknown {
  if (isAppError(err, 'DEPENDENCY_MISSING') || isAppError(err, 'VIDEO_UNREADABLE')) return err;
  return new AppError('VIDEO_UNREADABLE', `<Video> source ${source.label} could not be decoded: ${(err as Error).message}`, { cause: err });
}
