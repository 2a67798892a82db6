import { extname } from 'node:path';
import { z } from 'zod';
import { AppError } from '../errors/index.js';

/** Video containers mastercut encodes frame sequences into. */
export const videoFormatSchema = z.enum(['mp4', 'webm', 'gif']);
/** Single-image outputs (posters, cards). */
export const stillFormatSchema = z.enum(['jpg', 'png', 'webp']);
/** Every output format mastercut can produce. */
export const outputFormatSchema = z.enum([...videoFormatSchema.options, ...stillFormatSchema.options]);

export type VideoFormat = z.infer<typeof videoFormatSchema>;
export type StillFormat = z.infer<typeof stillFormatSchema>;
export type OutputFormat = z.infer<typeof outputFormatSchema>;

// `.jpeg` is common enough in user-supplied paths to accept as an alias.
const extensionAliases: Readonly<Record<string, OutputFormat>> = { jpeg: 'jpg' };

/**
 * Derives the output format from a file path's extension (case-insensitive;
 * `.jpeg` means `jpg`). Throws AppError('INVALID_ARGUMENT') naming the
 * supported extensions when the extension is missing or unknown.
 */
export function formatFromPath(path: string): OutputFormat {
  const ext = extname(path).slice(1).toLowerCase();
  const candidate = extensionAliases[ext] ?? ext;
  const parsed = outputFormatSchema.safeParse(candidate);
  if (!parsed.success) {
    const supported = outputFormatSchema.options.map((f) => `.${f}`).join(', ');
    throw new AppError(
      'INVALID_ARGUMENT',
      `Cannot tell the output format from "${path}": use one of the extensions ${supported}.`,
      { details: { extension: ext } },
    );
  }
  return parsed.data;
}

/** True for single-image formats (jpg, png, webp), false for videos and GIFs. */
export function isStillFormat(format: OutputFormat): format is StillFormat {
  return stillFormatSchema.safeParse(format).success;
}

/** True for formats encoded from a sequence of frames (mp4, webm, gif). */
export function isVideoFormat(format: OutputFormat): format is VideoFormat {
  return videoFormatSchema.safeParse(format).success;
}
