import { z } from 'zod';

const dim = z.number().int().min(16).max(4096);

/** A poster: one frame of the master as JPEG, optionally with a play badge drawn on it (email). */
export const posterSpecSchema = z.object({
  kind: z.literal('poster'),
  /** File name in the deliverable set, also its URL suffix. */
  name: z.string().regex(/^[a-z0-9-]+\.jpg$/),
  width: dim,
  /** Seconds into the master; default: the template's poster frame. */
  atSeconds: z.number().nonnegative().optional(),
  playBadge: z.boolean().default(false),
  /** 2 (best) .. 31, ffmpeg's mjpeg -q:v. */
  quality: z.number().int().min(2).max(31).default(3),
});

/**
 * An animated GIF preview (palettegen/paletteuse). When the file exceeds
 * `maxBytes`, the encoder walks `fallbackSteps` in order (each step lowers
 * fps and/or width) until it fits, and records which step it used.
 */
export const gifSpecSchema = z.object({
  kind: z.literal('gif'),
  name: z.string().regex(/^[a-z0-9-]+\.gif$/),
  width: dim,
  fps: z.number().int().min(1).max(30),
  durationSeconds: z.number().positive().max(60),
  maxBytes: z.number().int().positive(),
  fallbackSteps: z.array(z.object({ fps: z.number().int().min(1).max(30), width: dim })).max(8).default([]),
});

/**
 * One video file: H.264 or HEVC MP4 (faststart), or VP9 WebM. HEVC is encoded
 * with hevc_nvenc/hevc_vaapi when detected, libx265 otherwise.
 */
export const videoSpecSchema = z.object({
  kind: z.literal('video'),
  name: z.string().regex(/^[a-z0-9-]+\.(mp4|webm)$/),
  container: z.enum(['mp4', 'webm']).default('mp4'),
  codec: z.enum(['h264', 'hevc', 'vp9']).default('h264'),
  width: dim,
  height: dim,
  /** Output frame rate; default: the master's. */
  fps: z.number().int().min(1).max(60).optional(),
  /** Constant quality (x264 CRF / VP9 CRF); ignored when maxBytes drives the bitrate. */
  crf: z.number().int().min(0).max(63).default(23),
  /** Hard size budget for the whole file (MMS): bitrate is derived from it and two-pass/capped. */
  maxBytes: z.number().int().positive().optional(),
  audioBitrateK: z.number().int().min(16).max(320).default(128),
});

/** An HLS ladder: fMP4 segments per rung plus a master playlist. */
export const hlsSpecSchema = z.object({
  kind: z.literal('hls'),
  /** The master playlist's name; rungs and segments sit next to it. */
  name: z.string().regex(/^[a-z0-9-]+\.m3u8$/),
  segmentSeconds: z.number().int().min(1).max(10).default(2),
  rungs: z
    .array(z.object({ width: dim, height: dim, videoBitrateK: z.number().int().min(100).max(20_000) }))
    .min(1)
    .max(6),
  audioBitrateK: z.number().int().min(16).max(320).default(96),
});

/** A still PNG card of the key data frame (call centre). */
export const stillSpecSchema = z.object({
  kind: z.literal('still'),
  name: z.string().regex(/^[a-z0-9-]+\.png$/),
  width: dim,
  /** Seconds into the master; default: the template's poster frame. */
  atSeconds: z.number().nonnegative().optional(),
});

/** One deliverable of a channel. Its canonical JSON is part of its deliverable key. */
export const deliverableSpecSchema = z.discriminatedUnion('kind', [
  posterSpecSchema,
  gifSpecSchema,
  videoSpecSchema,
  hlsSpecSchema,
  stillSpecSchema,
]);

/** A channel: the template variant it renders and what is made from that master. */
export const channelProfileSchema = z.object({
  variant: z.string().min(1).max(32),
  deliverables: z.array(deliverableSpecSchema).min(1).max(8),
});

export type PosterSpec = z.output<typeof posterSpecSchema>;
export type GifSpec = z.output<typeof gifSpecSchema>;
export type VideoSpec = z.output<typeof videoSpecSchema>;
export type HlsSpec = z.output<typeof hlsSpecSchema>;
export type StillSpec = z.output<typeof stillSpecSchema>;
export type DeliverableSpec = z.output<typeof deliverableSpecSchema>;
export type DeliverableSpecInput = z.input<typeof deliverableSpecSchema>;
export type ChannelProfile = z.output<typeof channelProfileSchema>;
