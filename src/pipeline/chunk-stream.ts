import path from 'node:path';
import { Writable } from 'node:stream';
import { buildChunkStreamMuxArgs, buildChunkToStreamArgs, startFfmpeg, type FfmpegProcess } from '../encode/index.js';
import type { TemplateRegistry } from '../templates/index.js';

/**
 * The fragmented MP4 a split master streams while its chunks render
 * (docs/split-render.md, "Live cold renders stream their first chunk"):
 * one ffmpeg that copies the chunks' video, in order, and encodes the soundtrack once over the whole
 * video. Its input is written by the master: the first chunk's MPEG-TS while
 * it is encoded (`write`), then each later chunk once it is done (`append`).
 *
 * The stream serves viewers only: the stored master is the chunks' normal
 * join. So a stream that breaks never fails the render: `write` and `append`
 * swallow its errors (the stream is then dead), only `end` reports them.
 */
export interface ChunkStream {
  /** Bytes of the first chunk's MPEG-TS, in order (RenderRequest.onChunkStream). */
  write(ts: Buffer): Promise<void>;
  /** A later chunk, stored as a chunk MP4 on this machine, starting at `startFrame` of the video; in order. */
  append(chunk: { path: string; startFrame: number }): Promise<void>;
  /** No chunk follows: resolves once every byte of the stream was handed to `onData`, rejects if the stream broke. */
  end(): Promise<void>;
  /** Stops the stream (the master failed, or parks and leaves it). */
  kill(): void;
}

export interface OpenChunkStreamRequest {
  templateId: string;
  /** Each byte of the fragmented MP4, in order. */
  onData: (bytes: Buffer) => void;
  signal?: AbortSignal;
}

export type OpenChunkStream = (request: OpenChunkStreamRequest) => Promise<ChunkStream>;

/** Opens chunk streams over the whole composition of a template (its soundtrack from its bundle). */
export function createOpenChunkStream(deps: { registry: TemplateRegistry; ffmpegPath: string }): OpenChunkStream {
  return async ({ templateId, onData, signal }) => {
    const template = deps.registry.get(templateId);
    const bundle = await deps.registry.bundle(template.id);
    const tracks = template.audio ? [{ path: path.join(bundle.dir, 'static', template.audio.src), fromFrame: 0, volume: template.audio.volume ?? 1 }] : [];
    const out = new Writable({
      write(bytes: Buffer, _encoding, callback) {
        onData(bytes);
        callback();
      },
    });
    const mux = await startFfmpeg(buildChunkStreamMuxArgs({ tracks, fps: template.fps, durationInFrames: template.durationInFrames }), {
      ffmpegPath: deps.ffmpegPath,
      signal,
      stdout: out,
    });
    let broken: unknown;
    const guard = async (step: () => Promise<void>) => {
      if (broken !== undefined) return;
      try {
        await step();
      } catch (err) {
        broken = err;
        mux.kill();
      }
    };
    return {
      write: (ts) => guard(() => mux.write(ts)),
      append: ({ path: file, startFrame }) => guard(() => copyInto(mux, deps.ffmpegPath, buildChunkToStreamArgs({ inPath: file, startFrame, fps: template.fps }), signal)),
      async end() {
        if (broken !== undefined) throw broken;
        await mux.end();
      },
      kill: () => mux.kill(),
    };
  };
}

/** Runs an ffmpeg whose stdout is written into `mux`'s stdin, with backpressure. */
async function copyInto(mux: FfmpegProcess, ffmpegPath: string, args: string[], signal: AbortSignal | undefined): Promise<void> {
  const into = new Writable({
    write(bytes: Buffer, _encoding, callback) {
      mux.write(bytes).then(() => callback(), callback);
    },
  });
  const finished = new Promise<void>((resolve, reject) => into.once('finish', resolve).once('error', reject));
  finished.catch(() => undefined);
  const copy = await startFfmpeg(args, { ffmpegPath, signal, stdout: into });
  await copy.end();
  await finished;
}
