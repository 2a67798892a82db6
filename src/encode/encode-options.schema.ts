import { z } from 'zod';
import { videoFormatSchema } from './output-format.schema.js';

/**
 * One audio file placed on the composition timeline. The file (or its
 * `sourceStartSec`-`sourceEndSec` segment, looped and sped up as asked)
 * plays from `fromFrame` (a negative value cuts the part before frame 0) for
 * `durationInFrames` frames, or until it ends when unset.
 */
export const audioTrackSchema = z.object({
  path: z.string().min(1),
  fromFrame: z.number().int(),
  durationInFrames: z.number().int().positive().optional(),
  /** Linear gain: 1 keeps the level, 0 mutes, 2 doubles the amplitude. */
  volume: z.number().min(0).max(10).default(1),
  /** Start of the segment of the file used (trim), in the file's seconds. */
  sourceStartSec: z.number().min(0).optional(),
  /** End of that segment; unset: the file's end. Required with `loop`. */
  sourceEndSec: z.number().positive().optional(),
  /** Speed (pitch kept, atempo); 2 plays the segment in half the time. */
  playbackRate: z.number().positive().max(16).optional(),
  /** Repeat the segment; `durationInFrames` then says when it stops. */
  loop: z.boolean().optional(),
});

/** Codec of the frames the renderer writes to ffmpeg's stdin. */
export const inputCodecSchema = z.enum(['mjpeg', 'png']);

/** x264 presets, fastest to slowest (https://trac.ffmpeg.org/wiki/Encode/H.264). */
export const x264PresetSchema = z.enum([
  'ultrafast',
  'superfast',
  'veryfast',
  'faster',
  'fast',
  'medium',
  'slow',
  'slower',
  'veryslow',
]);

/**
 * Public options of `buildEncodeArgs`. Everything optional is filled in once by
 * `resolveEncodeOptions`.
 */
export const encodeOptionsSchema = z.object({
  format: videoFormatSchema,
  fps: z.number().positive().max(240),
  width: z.number().int().positive().max(8192),
  height: z.number().int().positive().max(8192),
  inputCodec: inputCodecSchema,
  outPath: z.string().min(1),
  durationInFrames: z.number().int().positive(),
  /** Constant rate factor; lower is better quality. mp4: 0-51, webm: 0-63. */
  crf: z.number().int().min(0).max(63).optional(),
  /** x264 preset (mp4 only; webm always uses libvpx's realtime settings). */
  preset: x264PresetSchema.optional(),
  audioTracks: z.array(audioTrackSchema).optional(),
  /** Encoder threads; unset lets ffmpeg choose from the CPU count. */
  threads: z.number().int().positive().max(64).optional(),
  gif: z
    .object({
      fps: z.number().positive().max(50).optional(),
      width: z.number().int().positive().max(4096).optional(),
    })
    .optional(),
  /**
   * mp4 only: write a fragmented MP4 (moov first, then one fragment per
   * keyframe) to ffmpeg's stdout instead of `outPath`, so it can be streamed
   * while it is encoded; the caller stores stdout. Replaces faststart.
   */
  fragmented: z.boolean().optional(),
  /**
   * mp4 only: one chunk of a split render (see docs/split-render.md): video
   * only, a closed GOP opening on a keyframe, the timebase every chunk shares
   * (CHUNK_TIMESCALE), no faststart pass; joined later by stream copy.
   */
  chunk: z.boolean().optional(),
  /**
   * mp4 chunk only: a chunk of a split master that streams (a cold Live
   * URL): the streamed master's video settings (no B-frames, a keyframe a
   * second), so its frames can follow the first chunk's in one fragmented MP4.
   */
  streamable: z.boolean().optional(),
  /**
   * mp4 streamable chunk only: write the chunk as MPEG-TS to ffmpeg's stdout
   * instead of an MP4 to `outPath`: the first chunk, which the master's
   * stream muxer reads while it is encoded (buildChunkStreamMuxArgs).
   */
  toPipe: z.boolean().optional(),
  /** Extra libx264 settings, passed as `-x264-params key=value:...` (mp4 only). */
  x264Params: z.record(z.string().regex(/^[\w-]+$/), z.union([z.string(), z.number()])).optional(),
});

export type AudioTrackInput = z.input<typeof audioTrackSchema>;
export type AudioTrack = z.output<typeof audioTrackSchema>;
export type InputCodec = z.infer<typeof inputCodecSchema>;
export type X264Preset = z.infer<typeof x264PresetSchema>;
/** What callers pass to `buildEncodeArgs`. */
export type EncodeOptions = z.input<typeof encodeOptionsSchema>;
