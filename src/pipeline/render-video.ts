import { createWriteStream } from 'node:fs';
import { rename, rm, stat, writeFile } from 'node:fs/promises';
import { Transform } from 'node:stream';
import path from 'node:path';
import type { Config } from '../config/index.js';
import { AppError, CancelledError } from '../errors/index.js';
import {
  buildEncodeArgs,
  buildFaststartRemuxArgs,
  buildStillArgs,
  buildStreamedChunkRemuxArgs,
  formatFromPath,
  isStillFormat,
  prepareOutput,
  startFfmpeg,
  type OutputFormat,
  type PreparedOutput,
} from '../encode/index.js';
import { captureFrames, createTreeCpuClock, type BrowserPool, type CaptureFramesOptions } from '../render/index.js';
import type { TemplateRegistry } from '../templates/index.js';
import { measuredProfile } from './capture-profile.js';
import { mixPageAudio, type MediaResolver } from './mix-page-audio.js';
import { renderRequestSchema, type RenderRequest, type RenderResult } from './render-request.schema.js';

export interface RenderVideoDeps {
  registry: TemplateRegistry;
  pool: BrowserPool;
  /** Where the sound of <Audio> and <Video> sources comes from (src/footage). */
  media: MediaResolver;
  ffmpegPath: string;
  render: Config['render'];
  encode: Config['encode'];
}

export type RenderVideo = (request: RenderRequest) => Promise<RenderResult>;

/**
 * validate -> capture -> encode -> publish. Everything that can be refused
 * (template, variant, props, frame range, output path) is checked before a
 * browser or ffmpeg is touched; the output appears atomically or not at all.
 */
export function createRenderVideo(deps: RenderVideoDeps): RenderVideo {
  return async (request) => {
    const startedAt = Date.now();
    const parsed = renderRequestSchema.safeParse(request);
    if (!parsed.success) {
      const list = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      throw new AppError('INVALID_ARGUMENT', `Invalid render request: ${list}`);
    }
    const req = parsed.data;
    const template = deps.registry.get(req.templateId);
    const variant = deps.registry.resolveVariant(template, req.variant);
    const props = deps.registry.validateProps(template, req.props);
    const format: OutputFormat = req.format ?? formatFromPath(req.out);
    const still = isStillFormat(format);
    if (template.still && !still) {
      throw new AppError('INVALID_ARGUMENT', `template "${template.id}" is a still (defineStill): render it as png, jpg or webp, e.g. mastercut still ${template.id} --out card.png`);
    }
    const range = still ? frameRange(template.durationInFrames, req.frame ?? template.posterFrame) : videoRange(template.durationInFrames, req.frames);
    const frameCount = range.end - range.start + 1;
    const output = await prepareOutput(req.out);
    const streaming = format === 'mp4' && request.onStreamChunk !== undefined;
    const chunk = req.chunk === true;
    if (chunk && (format !== 'mp4' || streaming)) {
      throw new AppError('INVALID_ARGUMENT', 'a chunk of a split render is an mp4 written to a file, not streamed');
    }
    const streamable = chunk && req.streamable === true;
    // The first chunk of a streamed split: MPEG-TS out of the encoder, to the master's stream and to a file remuxed into the chunk MP4.
    const tsPipe = streamable && request.onChunkStream !== undefined;
    if ((req.streamable && !chunk) || (request.onChunkStream && !streamable)) {
      throw new AppError('INVALID_ARGUMENT', 'streamable and onChunkStream describe a chunk of a streamed split render');
    }

    const timeout = AbortSignal.timeout(deps.render.renderTimeoutMs);
    const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
    try {
      const bundle = await deps.registry.bundle(template.id);
      const capture: Omit<CaptureFramesOptions, 'onFrame' | 'format'> = {
        pool: deps.pool,
        bundle,
        variant: variant.name,
        width: variant.size.width,
        height: variant.size.height,
        props,
        firstFrame: range.start,
        lastFrame: range.end,
        quality: req.quality ?? deps.render.jpegQuality,
        concurrency: req.concurrency ?? deps.pool.size,
        chunkSize: deps.render.chunkFrames,
        delayRenderTimeoutMs: deps.render.delayRenderTimeoutMs,
        frameTimeoutMs: deps.render.frameTimeoutMs,
        signal,
        onProgress: request.onProgress,
      };
      let result;
      if (still) {
        result = await renderStill(deps, capture, format, output, req.quality);
      } else {
        const audioTracks = template.audio && !chunk
          ? [{ path: path.join(bundle.dir, 'static', template.audio.src), fromFrame: -range.start, volume: template.audio.volume ?? 1 }]
          : [];
        const args = buildEncodeArgs({
          format,
          fps: template.fps,
          width: variant.size.width,
          height: variant.size.height,
          inputCodec: 'mjpeg',
          outPath: output.tempPath,
          durationInFrames: frameCount,
          crf: req.crf ?? (format === 'mp4' ? deps.encode.crf : undefined),
          preset: req.preset ?? deps.encode.preset,
          audioTracks,
          fragmented: streaming,
          chunk,
          streamable,
          toPipe: tsPipe,
        });
        const tsPath = `${output.tempPath}.ts`;
        const sink = streaming ? streamSink(output.tempPath, request.onStreamChunk!) : tsPipe ? streamSink(tsPath, request.onChunkStream!) : undefined;
        // ffmpeg starts while the browsers mount and draw the first frame; frames wait for it.
        const starting = startFfmpeg(args, { ffmpegPath: deps.ffmpegPath, signal, stdout: sink?.stream });
        starting.catch(() => undefined);
        try {
          // Frames are timed in CPU time of this worker's processes: the capture profile (split cuts) leaves the neighbours' load out.
          const clock = createTreeCpuClock();
          result = await captureFrames({ ...capture, format: 'jpeg', clock, onFrame: async (_frame, image) => (await starting).write(image) });
          await (await starting).end();
          // The flush (frames still in flight written, then encoded) is their encode: their cost, not a fixed one.
          spreadOverLast(result.frameTimesMs, result.framesInFlight, (await clock()) - result.lastFrameAt);
          await sink?.finished;
          if (tsPipe) await remuxStreamedChunk(deps.ffmpegPath, tsPath, output.tempPath, signal);
          if (format !== 'gif' && !chunk) {
            const mixed = await mixPageAudio({
              template,
              bundle,
              media: deps.media,
              pageTracks: result.audioTracks,
              firstFrame: range.start,
              frames: frameCount,
              format,
              videoPath: output.tempPath,
              ffmpegPath: deps.ffmpegPath,
              signal,
            });
            // The streamed copy has served its readers; the cached one gets a duration and an index.
            if (streaming && !mixed) await remuxFaststart(deps.ffmpegPath, output.tempPath, signal);
          }
        } catch (err) {
          await starting.then((ffmpeg) => ffmpeg.kill()).catch(() => undefined);
          if (tsPipe) await rm(tsPath, { force: true });
          throw err;
        }
      }
      await output.commit();
      const wallMs = Date.now() - startedAt;
      return {
        outPath: output.finalPath,
        format,
        templateId: template.id,
        templateVersion: bundle.version,
        variant: variant.name,
        width: variant.size.width,
        height: variant.size.height,
        frames: frameCount,
        framesCaptured: result.framesCaptured,
        framesReused: result.framesReused,
        captureProfile: measuredProfile(result.frameTimesMs),
        browserRestarts: result.browserRestarts,
        timeToFirstFrameMs: result.timeToFirstFrameMs,
        wallMs,
        fps: (frameCount * 1000) / wallMs,
        bytes: (await stat(output.finalPath)).size,
        ...(chunk && 'audioTracks' in result ? { pageAudioTracks: result.audioTracks } : {}),
      };
    } catch (err) {
      await output.discard();
      if (err instanceof CancelledError && timeout.aborted && !request.signal?.aborted) {
        throw new AppError('RENDER_TIMEOUT', `template ${template.id}: the render took longer than ${deps.render.renderTimeoutMs} ms`, {
          cause: err,
        });
      }
      throw err;
    }
  };
}

/**
 * Adds `ms` to the last `count` frame times (at least the last frame), in
 * equal shares: a capture profile then sums to the render's time from the
 * first frame to the encoder's end, and a chunk ending on a hold (cheap to
 * capture, still encoded) is not cut too long (docs/capacity.md section 5).
 */
function spreadOverLast(times: number[], count: number, ms: number): void {
  const n = Math.max(1, Math.min(times.length, count));
  for (let i = times.length - n; i < times.length; i++) times[i]! += ms / n;
}

async function remuxFaststart(ffmpegPath: string, file: string, signal: AbortSignal): Promise<void> {
  const out = `${file}.faststart`;
  try {
    await (await startFfmpeg(buildFaststartRemuxArgs(file, out), { ffmpegPath, signal })).end();
    await rename(out, file);
  } finally {
    await rm(out, { force: true });
  }
}

/** The first chunk of a streamed split, kept as MPEG-TS while it streamed, becomes the chunk MP4 every chunk is. */
async function remuxStreamedChunk(ffmpegPath: string, tsPath: string, out: string, signal: AbortSignal): Promise<void> {
  try {
    await (await startFfmpeg(buildStreamedChunkRemuxArgs(tsPath, out), { ffmpegPath, signal })).end();
  } finally {
    await rm(tsPath, { force: true });
  }
}

/** ffmpeg's stdout into `file`, each chunk also handed to `onChunk` in order (a returned promise is awaited: backpressure). */
function streamSink(file: string, onChunk: (chunk: Buffer) => Promise<void> | void) {
  const stream = createWriteStream(file);
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      Promise.resolve(onChunk(chunk)).then(() => callback(null, chunk), callback);
    },
  });
  tap.pipe(stream);
  const finished = new Promise<void>((resolve, reject) => {
    stream.once('finish', resolve).once('error', reject);
  });
  finished.catch(() => undefined);
  return { stream: tap, finished };
}

async function renderStill(
  deps: RenderVideoDeps,
  capture: Omit<CaptureFramesOptions, 'onFrame' | 'format'>,
  format: OutputFormat,
  output: PreparedOutput,
  quality: number | undefined,
) {
  // PNG keeps alpha and is lossless; JPEG is what a jpg still wants anyway.
  const captureFormat = format === 'jpg' ? 'jpeg' : 'png';
  let image: Buffer | undefined;
  const result = await captureFrames({
    ...capture,
    concurrency: 1,
    format: captureFormat,
    onFrame: async (_frame, buffer) => {
      image = buffer;
    },
  });
  if (!image) throw new AppError('INTERNAL', 'the still frame was not captured');
  if (format === 'png' || format === 'jpg') {
    await writeFile(output.tempPath, image);
  } else {
    const args = buildStillArgs({ inputCodec: 'png', format: format as 'webp', outPath: output.tempPath, quality });
    const ffmpeg = await startFfmpeg(args, { ffmpegPath: deps.ffmpegPath, signal: capture.signal });
    await ffmpeg.write(image);
    await ffmpeg.end();
  }
  return result;
}

function frameRange(duration: number, frame: number): { start: number; end: number } {
  if (frame >= duration) {
    throw new AppError('INVALID_ARGUMENT', `frame ${frame} is outside the composition (0-${duration - 1})`);
  }
  return { start: frame, end: frame };
}

function videoRange(duration: number, frames: { start: number; end: number } | undefined): { start: number; end: number } {
  const range = frames ?? { start: 0, end: duration - 1 };
  if (range.start > range.end || range.end >= duration) {
    throw new AppError('INVALID_ARGUMENT', `frames ${range.start}-${range.end} are outside the composition (0-${duration - 1})`);
  }
  return range;
}
