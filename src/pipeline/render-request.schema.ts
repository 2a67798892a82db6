import { z } from 'zod';
import { outputFormatSchema, x264PresetSchema } from '../encode/index.js';
import type { AudioTrack as PageAudioTrack } from '../composition/index.js';
import type { RenderProgress } from '../render/index.js';
import type { CaptureProfile } from './capture-profile.js';

/**
 * What to render, as every caller asks for it: a template, a variant, props
 * and a format. The engine's request (below) and the queued request of
 * src/renders (renderRequestInputSchema) both extend it, so the two accept
 * the same template, variant, props and format.
 */
export const renderTargetSchema = z.object({
  templateId: z.string().min(1).max(64),
  /** Default: the template's default variant. */
  variant: z.string().min(1).max(32).optional(),
  props: z.unknown().optional(),
  /** Default: from the output file's extension (engine), mp4 (queued renders). */
  format: outputFormatSchema.optional(),
});

/** One render: what to render, and where the result goes and how it is made. */
export const renderRequestSchema = renderTargetSchema.extend({
  out: z.string().min(1),
  /** Inclusive frame range of a video; default the whole composition. */
  frames: z.object({ start: z.number().int().min(0), end: z.number().int().min(0) }).optional(),
  /** The frame of a still; default the template's poster frame. */
  frame: z.number().int().min(0).optional(),
  /** Browsers used at once; default the pool size. */
  concurrency: z.number().int().min(1).max(64).optional(),
  crf: z.number().int().min(0).max(63).optional(),
  preset: x264PresetSchema.optional(),
  /** JPEG quality of captured frames. */
  quality: z.number().int().min(1).max(100).optional(),
  /**
   * mp4 only: render `frames` as one chunk of a split render (see
   * createSplitRender): video only, a closed GOP from a keyframe, the shared
   * chunk timebase. The result lists the page's audio for the join.
   */
  chunk: z.boolean().optional(),
  /**
   * With `chunk`: a chunk of a split master that streams (a cold Live URL):
   * encoded with the streamed master's video settings (no B-frames, a
   * keyframe a second), so its frames can follow the first chunk's in one
   * fragmented MP4 (docs/split-render.md).
   */
  streamable: z.boolean().optional(),
});

export type RenderRequest = z.input<typeof renderRequestSchema> & {
  signal?: AbortSignal;
  onProgress?: (progress: RenderProgress) => void;
  /**
   * mp4 only: encode a fragmented MP4 and hand every byte to this callback
   * as it is written, in order, so a cold Live URL can stream the video
   * while it renders. The file in `out` is then rewritten as a plain
   * faststart MP4 (same streams, copied) so the cached copy has a duration
   * and a seek index.
   */
  onStreamChunk?: (chunk: Buffer) => void;
  /**
   * With `chunk` and `streamable`: the chunk's video as MPEG-TS, handed over
   * in order while it is encoded (awaited: backpressure), for the master's
   * stream (OpenChunkStream). `out` still gets the chunk MP4 for the join.
   */
  onChunkStream?: (ts: Buffer) => Promise<void> | void;
};

/** What a finished render reports. */
export interface RenderResult {
  outPath: string;
  format: z.infer<typeof outputFormatSchema>;
  templateId: string;
  templateVersion: string;
  variant: string;
  width: number;
  height: number;
  frames: number;
  framesCaptured: number;
  framesReused: number;
  /** What each frame of the range took to render (CaptureProfile: one measured symbol per frame). */
  captureProfile: CaptureProfile;
  browserRestarts: number;
  timeToFirstFrameMs: number;
  wallMs: number;
  fps: number;
  bytes: number;
  /** A chunk's (`chunk: true`) page audio, on the composition's clock: mixed once the chunks are joined. */
  pageAudioTracks?: readonly PageAudioTrack[];
}
