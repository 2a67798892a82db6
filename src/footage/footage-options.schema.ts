import { z } from 'zod';
import { AppError } from '../errors/index.js';

/** Options of the frame server; every one has a default. */
export const footageOptionsSchema = z.object({
  /** Memory for decoded frames, per worker process (LRU). */
  cacheMaxBytes: z.number().int().min(0).default(256 * 1024 * 1024),
  /** Frames one ffmpeg run decodes from the first one asked for. */
  decodeAheadFrames: z.number().int().min(1).max(10_000).default(60),
  /** JPEG quality of decoded frames (1-100); frames with alpha are PNG. */
  jpegQuality: z.number().int().min(1).max(100).default(90),
});

export type FootageOptions = z.input<typeof footageOptionsSchema>;
export type ResolvedFootageOptions = Readonly<z.output<typeof footageOptionsSchema>>;

/** Validates the options once, reporting every problem in one INVALID_ARGUMENT error. */
export function resolveFootageOptions(options: FootageOptions): ResolvedFootageOptions {
  const parsed = footageOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new AppError('INVALID_ARGUMENT', `invalid footage options: ${problems.join('; ')}`);
  }
  return Object.freeze(parsed.data);
}
