import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AudioTrack as PageAudioTrack } from '../composition/index.js';
import { AppError } from '../errors/index.js';
import { buildConcatArgs, buildConcatList, formatFromPath, prepareOutput, startFfmpeg } from '../encode/index.js';
import type { TemplateRegistry } from '../templates/index.js';
import { mixPageAudio, type MediaResolver } from './mix-page-audio.js';
import { costOfFrames, isCaptureProfile, type CaptureProfile } from './capture-profile.js';
import { splitOptionsForProfile } from './split-options-for-profile.js';
import { planChunks, type FrameSpan, type SplitOptions } from './plan-chunks.js';
import type { RenderRequest, RenderResult } from './render-request.schema.js';

export interface SplitRenderDeps {
  registry: TemplateRegistry;
  media: MediaResolver;
  ffmpegPath: string;
}

/** A chunk to render: the whole request with its frames narrowed, `chunk: true` and its own `out`. */
export type ChunkRequest = RenderRequest & { chunk: true; frames: { start: number; end: number }; out: string };

/**
 * Renders one chunk somewhere: in this process (renderVideo), or on another
 * render worker. Rejects when the chunk is lost; it is then retried alone.
 */
export type RenderChunk = (request: ChunkRequest, index: number) => Promise<RenderResult>;

export interface SplitRenderResult {
  outPath: string;
  frames: number;
  /** Each chunk's frames [start, end), how long it took, and the attempts it needed. */
  chunks: (FrameSpan & { wallMs: number; attempts: number })[];
  /** Joining (stream copy) and encoding the soundtrack, after the last chunk. */
  joinMs: number;
  wallMs: number;
  bytes: number;
  /** The chunks' capture profiles end to end: the whole range's, for the next cost cut. */
  captureProfile: CaptureProfile;
}

/**
 * `profile`: the composition's capture profile (from an earlier render of
 * the template version): the chunks are cut by capture cost; without one,
 * or one of another length, by frame count.
 */
export type SplitRender = (request: RenderRequest, renderChunk: RenderChunk, profile?: CaptureProfile) => Promise<SplitRenderResult>;

/** A chunk is tried this often before the split render fails. */
const CHUNK_ATTEMPTS = 2;

/**
 * One MP4 rendered as chunks (docs/split-render.md): the frames are cut by
 * planChunks() (by capture cost when given a profile), every chunk is rendered through `renderChunk` at once (each
 * with the master's encoder settings, a closed GOP opening on a keyframe and
 * the shared timebase), a lost chunk is rendered again alone, then the
 * chunks are joined by stream copy and the soundtrack, with any page audio
 * the chunks reported, is encoded once over the whole duration. The output
 * appears atomically or not at all; the chunk files are removed either way.
 */
export function createSplitRender(deps: SplitRenderDeps, split: SplitOptions): SplitRender {
  const join = createJoinChunks(deps);
  return async (request, renderChunk, profile) => {
    const startedAt = Date.now();
    if ((request.format ?? formatFromPath(request.out)) !== 'mp4') throw new AppError('INVALID_ARGUMENT', 'a split render makes an mp4');
    // A streamed split is the render queue's (a Live master: docs/split-render.md); this one writes a file.
    if (request.onStreamChunk) throw new AppError('INVALID_ARGUMENT', 'createSplitRender does not stream: a streamed split runs through the render queue');
    const template = deps.registry.get(request.templateId);
    const inclusive = request.frames ?? { start: 0, end: template.durationInFrames - 1 };
    if (inclusive.start > inclusive.end || inclusive.end >= template.durationInFrames) {
      throw new AppError('INVALID_ARGUMENT', `frames ${inclusive.start}-${inclusive.end} are outside the composition (0-${template.durationInFrames - 1})`);
    }
    const range = { start: inclusive.start, end: inclusive.end + 1 };
    const frames = range.end - range.start;
    const usable = isCaptureProfile(profile, template.durationInFrames) ? profile : undefined;
    const spans = planChunks(range, splitOptionsForProfile(split, usable), usable === undefined ? undefined : costOfFrames(usable));
    const output = await prepareOutput(request.out);
    const dir = `${output.tempPath}.chunks`;
    try {
      await mkdir(dir, { recursive: true });
      const chunkPath = (index: number) => path.join(dir, `chunk-${String(index).padStart(4, '0')}.mp4`);
      const rendered = await Promise.all(
        spans.map(async (span, index) => {
          const chunkRequest: ChunkRequest = {
            ...request,
            format: 'mp4',
            frames: { start: span.start, end: span.end - 1 },
            out: chunkPath(index),
            chunk: true,
          };
          const began = Date.now();
          for (let attempt = 1; ; attempt++) {
            try {
              const result = await renderChunk(chunkRequest, index);
              return { span, result, wallMs: Date.now() - began, attempts: attempt };
            } catch (err) {
              if (attempt >= CHUNK_ATTEMPTS || request.signal?.aborted || (err instanceof AppError && !err.retryable)) throw err;
            }
          }
        }),
      );
      const joinedAt = Date.now();
      await join({
        templateId: template.id,
        range,
        chunks: rendered.map((r, index) => ({ path: chunkPath(index), frames: r.span.end - r.span.start, pageAudioTracks: r.result.pageAudioTracks ?? [] })),
        workDir: dir,
        out: output.tempPath,
        signal: request.signal,
      });
      const joinMs = Date.now() - joinedAt;
      await output.commit();
      return {
        outPath: output.finalPath,
        frames,
        chunks: rendered.map((r) => ({ ...r.span, wallMs: r.wallMs, attempts: r.attempts })),
        joinMs,
        wallMs: Date.now() - startedAt,
        bytes: (await stat(output.finalPath)).size,
        captureProfile: rendered.map((r) => r.result.captureProfile).join(''),
      };
    } catch (err) {
      await output.discard();
      throw err;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
}

/** One rendered chunk handed to the join, in order. */
export interface JoinedChunk {
  /** The chunk's MP4 on this machine. */
  path: string;
  frames: number;
  /** The page audio its render reported (RenderResult.pageAudioTracks). */
  pageAudioTracks: readonly PageAudioTrack[];
}

export interface JoinChunksRequest {
  templateId: string;
  /** The frames [start, end) the chunks cover together. */
  range: FrameSpan;
  chunks: readonly JoinedChunk[];
  /** A private folder for the concat list. */
  workDir: string;
  /** Where the joined MP4 is written (the caller makes it appear atomically). */
  out: string;
  signal?: AbortSignal;
}

/** The join half of a split render: chunks rendered anywhere, joined here into one MP4. */
export type JoinChunks = (request: JoinChunksRequest) => Promise<void>;

/**
 * Joins rendered chunks into one MP4: the concat demuxer copies the video
 * (each file with its exact duration, so no seam drifts), the template's
 * soundtrack is mixed over the whole range and encoded once, then the page
 * audio the chunks reported is merged and mixed in, as an unsplit render does.
 * The render queue's split jobs (src/renders) and createSplitRender share it.
 */
export function createJoinChunks(deps: SplitRenderDeps): JoinChunks {
  return async ({ templateId, range, chunks, workDir, out, signal }) => {
    const template = deps.registry.get(templateId);
    const frames = range.end - range.start;
    const bundle = await deps.registry.bundle(template.id);
    const listPath = path.join(workDir, 'chunks.ffconcat');
    await writeFile(listPath, buildConcatList(chunks.map((c) => ({ path: c.path, frames: c.frames })), template.fps));
    const tracks = template.audio
      ? [{ path: path.join(bundle.dir, 'static', template.audio.src), fromFrame: -range.start, volume: template.audio.volume ?? 1 }]
      : [];
    const ffmpeg = await startFfmpeg(buildConcatArgs({ listPath, tracks, fps: template.fps, durationInFrames: frames, outPath: out }), {
      ffmpegPath: deps.ffmpegPath,
      signal,
    });
    await ffmpeg.end();
    await mixPageAudio({
      template,
      bundle,
      media: deps.media,
      pageTracks: mergePageTracks(chunks.map((c) => c.pageAudioTracks)),
      firstFrame: range.start,
      frames,
      format: 'mp4',
      videoPath: out,
      ffmpegPath: deps.ffmpegPath,
      signal,
    });
  };
}

/** Each chunk's page registers the audio it mounted; a track mounted in two chunks is one track. */
function mergePageTracks(perChunk: readonly (readonly PageAudioTrack[])[]): PageAudioTrack[] {
  const seen = new Map<string, PageAudioTrack>();
  for (const tracks of perChunk) for (const track of tracks) seen.set(JSON.stringify(track), track);
  return [...seen.values()];
}
