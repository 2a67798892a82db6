import { Writable } from 'node:stream';
import { buildFrameDecodeArgs, startFfmpeg } from '../encode/index.js';
import type { VideoStreamInfo } from './probe-footage.js';
import { ImageStreamSplitter } from './split-image-stream.js';

export interface DecodeRunOptions {
  ffmpegPath: string;
  file: string;
  video: VideoStreamInfo;
  first: number;
  count: number;
  format: 'jpeg' | 'png';
  quality: number;
  /** Called with each decoded frame, in order: first, first + 1, ... */
  onFrame: (index: number, image: Buffer) => void;
}

/** One ffmpeg process decoding the source frames [first, first + count). */
export interface DecodeRun {
  readonly first: number;
  readonly end: number;
  /** The next frame this run will deliver. */
  next(): number;
  /** Resolves with the frames delivered once ffmpeg exits; rejects with its error. */
  readonly finished: Promise<number>;
  kill(): void;
}

/** libvpx decoders keep the alpha plane of VP8/VP9 (ffmpeg's native decoders drop it). */
function alphaDecoder(codec: string): 'libvpx' | 'libvpx-vp9' | undefined {
  if (codec === 'vp8') return 'libvpx';
  if (codec === 'vp9') return 'libvpx-vp9';
  return undefined;
}

/**
 * Starts decoding a run of frames. The images are split off ffmpeg's stdout
 * as they arrive, so the first one is served while the rest still decode.
 */
export async function startDecodeRun(o: DecodeRunOptions): Promise<DecodeRun> {
  const splitter = new ImageStreamSplitter(o.format);
  let next = o.first;
  let broken: Error | undefined;
  let stop = (): void => undefined;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (broken) return callback();
      try {
        for (const image of splitter.push(chunk)) o.onFrame(next++, image);
      } catch (err) {
        // Unparseable output: stop ffmpeg (keep draining it meanwhile so it cannot stall).
        broken = err as Error;
        stop();
      }
      callback();
    },
  });
  const args = buildFrameDecodeArgs({
    input: o.file,
    firstFrame: o.first,
    frames: o.count,
    fps: o.video.fps,
    streamOffsetSec: o.video.streamOffsetSec,
    format: o.format,
    quality: o.quality,
    decoder: o.format === 'png' ? alphaDecoder(o.video.codec) : undefined,
  });
  const ffmpeg = await startFfmpeg(args, { ffmpegPath: o.ffmpegPath, stdout: sink });
  stop = () => ffmpeg.kill();
  const finished = ffmpeg
    .end()
    // stdout may still hold the last bytes when the process exits.
    .then(() => (sink.writableFinished ? undefined : new Promise<void>((resolve) => sink.once('finish', resolve))))
    .then(
      () => {
        if (broken) throw broken;
        return next - o.first;
      },
      (err: unknown) => {
        throw broken ?? err;
      },
    );
  finished.catch(() => undefined);
  return { first: o.first, end: o.first + o.count, next: () => next, finished, kill: () => ffmpeg.kill() };
}
