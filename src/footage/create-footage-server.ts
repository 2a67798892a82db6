import { stat } from 'node:fs/promises';
import { parseVideoFrameUrl, sourceFrameIndex, videoSourcePosition } from '../composition/index.js';
import { AppError, isAppError } from '../errors/index.js';
import type { BundleRef, VideoFrameSource } from '../render/index.js';
import { startDecodeRun, type DecodeRun } from './decode-run.js';
import { resolveFootageOptions, type FootageOptions } from './footage-options.schema.js';
import { FrameCache, type FrameCacheStats } from './frame-cache.js';
import { locateFootage, type FootageFetcher } from './locate-footage.js';
import { probeFootage, type FootageInfo } from './probe-footage.js';

export interface FootageServerDeps {
  ffmpegPath: string;
  ffprobePath: string;
  /** Downloads https sources; without it only the bundle's own files can be shown. */
  fetcher?: FootageFetcher;
}

/** A source ready to decode: its file, a key that changes with its content, and its probe. */
interface OpenSource {
  path: string;
  label: string;
  id: string;
  info: FootageInfo;
}

/** What a mixer needs to use a source's sound. */
export interface FootageMedia {
  path: string;
  hasAudio: boolean;
  /** Length of the video stream, seconds (a looped sound without endAt repeats this much). */
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

interface Run extends DecodeRun {
  key: string;
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
    const info = await stat(located.path);
    const id = `${located.path}|${info.size}|${info.mtimeMs}`;
    let probing = sources.get(id);
    if (!probing) {
      probing = probeFootage(located.path, located.label, deps.ffprobePath);
      probing.catch(() => sources.delete(id));
      sources.set(id, probing);
      if (sources.size > MAX_SOURCES) sources.delete(sources.keys().next().value!);
    }
    return { ...located, id, info: await probing };
  }

  const frameKey = (source: OpenSource, format: string, index: number) => `${source.id}#${format}#${index}`;

  function deliver(key: string, image: Buffer): void {
    const list = waiters.get(key);
    waiters.delete(key);
    for (const w of list ?? []) w.resolve(image);
  }

  function frame(source: OpenSource, format: 'jpeg' | 'png', index: number): Promise<Buffer> {
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
      const covered = [...runs].some((r) => r.key === runKey && r.first <= index && index < r.end && r.next() <= index);
      if (!covered) startRun(source, format, index);
    });
  }

  function startRun(source: OpenSource, format: 'jpeg' | 'png', first: number): void {
    const count = Math.max(1, Math.min(opts.decodeAheadFrames, source.info.frameCount - first));
    const pending = startDecodeRun({
      ffmpegPath: deps.ffmpegPath,
      file: source.path,
      info: source.info,
      first,
      count,
      format,
      quality: opts.jpegQuality,
      onFrame: (index, image) => {
        counters.framesDecoded += 1;
        const key = frameKey(source, format, index);
        cache.set(key, image);
        deliver(key, image);
      },
    });
    counters.decodeRuns += 1;
    pending.then(
      (run) => {
        const entry: Run = Object.assign(run, { key: `${source.id}#${format}` });
        runs.add(entry);
        if (closed) run.kill();
        run.finished.then(
          (delivered) => {
            runs.delete(entry);
            if (delivered < count) shortSource(source, format, first + delivered, first + count);
          },
          (err: unknown) => {
            runs.delete(entry);
            failRange(source, format, first, first + count, decodeError(source, err));
          },
        );
      },
      (err: unknown) => failRange(source, format, first, first + count, decodeError(source, err)),
    );
  }

  /** The file holds fewer frames than its header said: requests past its real end get its last frame. */
  function shortSource(source: OpenSource, format: 'jpeg' | 'png', realEnd: number, end: number): void {
    if (realEnd === 0) {
      failRange(source, format, 0, end, new AppError('VIDEO_UNREADABLE', `<Video> source ${source.label}: no frame could be decoded`));
      return;
    }
    source.info.frameCount = Math.min(source.info.frameCount, realEnd);
    const last = source.info.frameCount - 1;
    for (let index = realEnd; index < end; index++) {
      const key = frameKey(source, format, index);
      const list = waiters.get(key);
      if (!list) continue;
      waiters.delete(key);
      const fallback = frame(source, format, last);
      for (const w of list) fallback.then(w.resolve, w.reject);
    }
  }

  function failRange(source: OpenSource, format: 'jpeg' | 'png', first: number, end: number, err: unknown): void {
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
      const { info } = source;
      const sourceFrames = (info.frameCount * request.fps) / info.fps;
      const position = videoSourcePosition(request, request.frame, sourceFrames);
      const index = sourceFrameIndex(position, request.fps, info.fps, info.frameCount);
      return { body: await frame(source, request.format, index), contentType: contentTypes[request.format] };
    },
    async media(src, bundle) {
      const source = await open(src, bundle);
      return { path: source.path, hasAudio: source.info.hasAudio, durationSec: source.info.frameCount / source.info.fps };
    },
    stats: () => ({ ...counters, ...cache.stats() }),
    close() {
      closed = true;
      for (const run of runs) run.kill();
    },
  };
}

function decodeError(source: OpenSource, err: unknown): unknown {
  if (isAppError(err, 'DEPENDENCY_MISSING') || isAppError(err, 'VIDEO_UNREADABLE')) return err;
  return new AppError('VIDEO_UNREADABLE', `<Video> source ${source.label} could not be decoded: ${(err as Error).message}`, { cause: err });
}
