import type { AudioTrack, SeekResult } from '../composition/index.js';
import { AppError, CancelledError, isAppError, throwIfAborted } from '../errors/index.js';
import type { BrowserPool } from './browser-pool.js';
import type { BundleRef } from './bundle-ref.js';
import { OrderedFrameSink } from './ordered-frame-sink.js';
import type { FrameClock } from './process-cpu.js';
import { computeProgress, type RenderProgress } from './render-progress.js';
import type { CaptureFormat, RenderPage } from './render-page.js';

export interface CaptureFramesOptions {
  pool: BrowserPool;
  bundle: BundleRef;
  variant: string;
  width: number;
  height: number;
  /** Already validated against the template schema. */
  props: unknown;
  /** Inclusive frame range. */
  firstFrame: number;
  lastFrame: number;
  format: CaptureFormat;
  quality: number;
  /** Browsers used at once for this render (bounded by the pool size). */
  concurrency: number;
  /** Frames one browser takes at a time; contiguous frames make static reuse work. */
  chunkSize?: number;
  /** How far ahead of the encoder capture may run, in frames. */
  windowFrames?: number;
  delayRenderTimeoutMs: number;
  frameTimeoutMs: number;
  /** What frame times are measured with (CaptureResult.frameTimesMs); default wall time. */
  clock?: FrameClock;
  /** Reuse the previous image when the DOM did not change (default true). */
  reuseStaticFrames?: boolean;
  signal?: AbortSignal;
  /** Receives every frame exactly once, in order. */
  onFrame: (frame: number, image: Buffer) => Promise<void>;
  onProgress?: (progress: RenderProgress) => void;
}

export interface CaptureResult {
  framesCaptured: number;
  framesReused: number;
  /**
   * How long each frame of the range took in its browser's capture loop, in
   * ms of `clock`: from the end of the frame before (or the mount) to this one handed
   * on, so waits for the encoder (which shares the core) count where they
   * fall. A split render's cost cut is planned from these (measuredProfile).
   */
  frameTimesMs: number[];
  /**
   * Frames captured but not yet taken by the encoder when the last frame was
   * captured: their encode is paid after the last frame time, in the flush
   * (render-video gives the flush's time back to them).
   */
  framesInFlight: number;
  /** `clock` when the last frame was captured: what follows is the flush of those in flight. */
  lastFrameAt: number;
  browserRestarts: number;
  timeToFirstFrameMs: number;
  audioTracks: AudioTrack[];
}

interface Chunk {
  start: number;
  end: number;
}

const MAX_CRASH_RETRIES = 3;

/**
 * Captures a frame range across several warm browsers and delivers the
 * frames in order. A crashed browser's unfinished frames go back on the queue
 * and are rendered again by another (or a replacement) browser.
 */
export async function captureFrames(options: CaptureFramesOptions): Promise<CaptureResult> {
  const startedAt = Date.now();
  const total = options.lastFrame - options.firstFrame + 1;
  const chunkSize = options.chunkSize ?? 10;
  const windowFrames = Math.max(options.windowFrames ?? 60, chunkSize * 2);
  const queue: Chunk[] = [];
  for (let start = options.firstFrame; start <= options.lastFrame; start += chunkSize) {
    queue.push({ start, end: Math.min(options.lastFrame, start + chunkSize - 1) });
  }
  const stats = { captured: 0, reused: 0, restarts: 0, firstFrameAt: 0 };
  // A frame given back after a crash is taken again: its last time counts.
  const times = new Array<number>(total).fill(0);
  const clock = options.clock ?? (async () => performance.now());
  let flushFrom = { at: 0, inFlight: 0 };
  const audio = new Map<string, AudioTrack>();
  const controller = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;

  // The other browsers start once the first frame exists: on a small machine,
  // letting one browser draw it alone gets it out sooner (time to first frame
  // is what a live viewer waits for), at the cost of ~one frame of overlap.
  let firstCaptured!: () => void;
  const firstFrameReady = new Promise<void>((resolve) => (firstCaptured = resolve));
  const sink = new OrderedFrameSink(options.firstFrame, async (frame, image) => {
    if (!stats.firstFrameAt) stats.firstFrameAt = Date.now();
    await options.onFrame(frame, image);
    const done = frame - options.firstFrame + 1;
    options.onProgress?.(computeProgress(done, total, stats.reused, startedAt));
  });

  const takeChunk = async (): Promise<Chunk | undefined> => {
    const chunk = queue.shift();
    if (chunk) await sink.waitForRoom(chunk.start, windowFrames, signal);
    return chunk;
  };

  const runBrowser = async (page: RenderPage): Promise<void> => {
    let released = false;
    try {
      await page.load(options.bundle);
      await page.mount({
        variant: options.variant,
        props: options.props,
        delayRenderTimeoutMs: options.delayRenderTimeoutMs,
        width: options.width,
        height: options.height,
      });
      let previous: Buffer | undefined;
      let mark = await clock();
      for (let chunk = await takeChunk(); chunk; chunk = await takeChunk()) {
        for (let frame = chunk.start; frame <= chunk.end; frame++) {
          try {
            throwIfAborted(signal);
            const seek = await withTimeout(page.seek(frame), options.frameTimeoutMs, () => frameTimeout(options, frame, page));
            assertSeekOk(seek, options, frame, page);
            if (!seek.changed && previous && options.reuseStaticFrames !== false) {
              stats.reused += 1;
            } else {
              const capture = page.capture(options.format, options.quality);
              previous = await withTimeout(capture, options.frameTimeoutMs, () => frameTimeout(options, frame, page));
              stats.captured += 1;
              firstCaptured();
            }
            sink.put(frame, previous);
            const now = await clock();
            times[frame - options.firstFrame] = now - mark;
            mark = now;
            // The latest frame taken so far, and how many the encoder has still to take then.
            if (now >= flushFrom.at) flushFrom = { at: now, inFlight: options.lastFrame + 1 - sink.next };
          } catch (err) {
            if (!isAppError(err, 'BROWSER_CRASHED')) throw err;
            // Give the unfinished frames back; another browser renders them again.
            queue.unshift({ start: frame, end: chunk.end });
            throw err;
          }
        }
      }
      for (const track of await page.audioTracks()) audio.set(JSON.stringify(track), track);
      await page.unmount().catch(() => undefined);
      released = true;
      await options.pool.release(page, { renderDone: true });
    } finally {
      if (!released) await options.pool.release(page);
    }
  };

  // One slot per browser; a slot whose browser crashed takes a replacement.
  const runSlot = async (first: RenderPage): Promise<void> => {
    let page = first;
    for (let attempt = 0; ; attempt++) {
      try {
        return await runBrowser(page);
      } catch (err) {
        if (!isAppError(err, 'BROWSER_CRASHED') || attempt >= MAX_CRASH_RETRIES || signal.aborted) throw err;
        stats.restarts += 1;
        if (queue.length === 0) return;
        page = await options.pool.acquire(signal);
      }
    }
  };

  const slots: Promise<void>[] = [];
  try {
    const first = runSlot(await options.pool.acquire(signal));
    slots.push(first);
    const wanted = Math.min(options.concurrency, options.pool.size, queue.length);
    if (wanted > 1) await Promise.race([firstFrameReady, first.catch(() => undefined)]);
    for (let extra = 1; extra < wanted && queue.length > 0; extra++) {
      const page = options.pool.tryAcquire() ?? (await options.pool.acquire(signal));
      slots.push(runSlot(page));
    }
    const results = await Promise.allSettled(slots);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    // A slot can give up on a crash while others finish; anything left is rendered now.
    if (queue.length > 0) await runSlot(await options.pool.acquire(signal));
    await sink.flush();
  } catch (err) {
    controller.abort();
    await Promise.allSettled(slots);
    if (options.signal?.aborted) throw new CancelledError(String(options.signal.reason ?? 'cancelled'));
    throw err;
  }
  return {
    framesCaptured: stats.captured,
    framesReused: stats.reused,
    frameTimesMs: times,
    framesInFlight: flushFrom.inFlight,
    lastFrameAt: flushFrom.at,
    browserRestarts: stats.restarts,
    timeToFirstFrameMs: stats.firstFrameAt - startedAt,
    audioTracks: [...audio.values()],
  };
}

function assertSeekOk(
  seek: SeekResult,
  options: CaptureFramesOptions,
  frame: number,
  page: RenderPage,
): asserts seek is Extract<SeekResult, { ok: true }> {
  if (seek.ok) return;
  const where = `template ${options.bundle.templateId}, frame ${frame}`;
  // A refused remote image explains a failed <Img> better than the page can.
  if (page.interceptor.assetError) throw page.interceptor.assetError;
  if (seek.code === 'DELAY_RENDER_TIMEOUT') {
    throw new AppError('DELAY_RENDER_TIMEOUT', `${where}: delayRender("${seek.label ?? 'unlabelled'}") was never continued (${seek.message})`, {
      details: { templateId: options.bundle.templateId, frame, label: seek.label },
    });
  }
  throw new AppError('TEMPLATE_ERROR', `${where}: ${seek.message}`, { details: { templateId: options.bundle.templateId, frame } });
}

function frameTimeout(options: CaptureFramesOptions, frame: number, page: RenderPage): AppError {
  // A page that stopped answering cannot be trusted with the next render.
  page.markBroken();
  return new AppError(
    'FRAME_TIMEOUT',
    `template ${options.bundle.templateId}, frame ${frame}: no image after ${options.frameTimeoutMs} ms`,
    { details: { templateId: options.bundle.templateId, frame } },
  );
}

async function withTimeout<T>(promise: Promise<T>, ms: number, makeError: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(makeError()), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
