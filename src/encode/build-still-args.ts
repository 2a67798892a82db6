import { z } from 'zod';
import { AppError } from '../errors/index.js';
import { fileUrl } from './build-encode-args.js';
import { inputCodecSchema } from './encode-options.schema.js';
import { stillFormatSchema } from './output-format.schema.js';

/** Public options of `buildStillArgs`. */
export const stillOptionsSchema = z.object({
  /** Codec of the one captured frame written to stdin. */
  inputCodec: inputCodecSchema,
  format: stillFormatSchema,
  outPath: z.string().min(1),
  /** 1 (smallest) to 100 (best); jpg and webp only. Default 80. */
  quality: z.number().int().min(1).max(100).optional(),
});

export type StillOptions = z.input<typeof stillOptionsSchema>;

export const DEFAULT_STILL_QUALITY = 80;

/**
 * Maps quality 1-100 onto mjpeg's -q:v scale, where 2 is best and 31 worst.
 * https://trac.ffmpeg.org/wiki/Encode/MPEG-4 (same qscale semantics)
 */
export function jpegQscale(quality: number): number {
  return Math.round(2 + ((100 - quality) * 29) / 99);
}

function encoderArgs(format: z.infer<typeof stillFormatSchema>, quality: number): string[] {
  switch (format) {
    case 'jpg':
      // `-update 1` writes one image to a plain file name; without it the
      // image2 muxer expects a numbered pattern. https://ffmpeg.org/ffmpeg-formats.html#image2-2
      return ['-c:v', 'mjpeg', '-q:v', String(jpegQscale(quality)), '-f', 'image2', '-update', '1'];
    case 'png':
      // PNG is lossless: quality does not apply; alpha is kept when present.
      return ['-c:v', 'png', '-f', 'image2', '-update', '1'];
    case 'webp':
      return ['-c:v', 'libwebp', '-lossless', '0', '-quality', String(quality), '-f', 'webp'];
  }
}

/**
 * Builds ffmpeg arguments that convert one captured frame (JPEG or PNG on
 * stdin) into a jpg, png or webp file. Use it when the capture format differs
 * from the requested one; when they match, write the buffer directly.
 * Throws AppError('INVALID_ARGUMENT').
 */
export function buildStillArgs(options: StillOptions): string[] {
  const parsed = stillOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new AppError('INVALID_ARGUMENT', `Invalid still options: ${problems.join('; ')}`, { details: { problems } });
  }
  const o = parsed.data;
  return [
    '-hide_banner', '-loglevel', 'error', '-nostats', '-y',
    '-f', 'image2pipe', '-c:v', o.inputCodec, '-i', 'pipe:0',
    '-frames:v', '1',
    ...encoderArgs(o.format, o.quality ?? DEFAULT_STILL_QUALITY),
    fileUrl(o.outPath),
  ];
}
