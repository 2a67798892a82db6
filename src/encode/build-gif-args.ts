import { join } from 'node:path';
import { fileUrl } from './build-encode-args.js';
import type { GifSpec } from './channel-profile.schema.js';
import { heightForWidth, seconds, transcodeFlags, type TranscodeArgsInput } from './transcode-args-input.js';

/** The frame rate and width one GIF attempt uses: the spec's own, or one of its fallback steps. */
export interface GifSettings {
  fps: number;
  width: number;
}

export interface GifArgsInput extends TranscodeArgsInput<GifSpec> {
  /** Overrides spec.fps/spec.width (a fallback step); default the spec's. */
  settings?: GifSettings;
}

/** The settings of attempt `step`: 0 is the spec's own, i is `fallbackSteps[i-1]`. */
export function gifSettingsAt(spec: GifSpec, step: number): GifSettings | undefined {
  if (step === 0) return { fps: spec.fps, width: spec.width };
  return spec.fallbackSteps[step - 1];
}

/** How long the preview is: the spec's length, or the whole master when shorter. */
export function gifDurationSec(spec: GifSpec, masterDurationSec: number): number {
  return Math.min(spec.durationSeconds, masterDurationSec);
}

/**
 * Builds the ffmpeg run for an animated GIF preview of the master's first
 * `durationSeconds`. Always on the CPU, whatever the caps: no GPU has a GIF
 * encoder or palette filters, and a 3 s clip decodes in a fraction of a
 * second, less than setting up a GPU context would take.
 *
 * One pass: the scaled stream is split, one copy builds the palette, the other
 * is mapped onto it. stats_mode=diff favours what moves; bayer dithering is
 * deterministic and compresses better than error diffusion; diff_mode=rectangle
 * re-dithers only the changed area, which keeps frames small.
 * https://ffmpeg.org/ffmpeg-filters.html#palettegen https://ffmpeg.org/ffmpeg-filters.html#paletteuse
 */
export function buildGifArgs(o: GifArgsInput): string[] {
  const { spec, master } = o;
  const s = o.settings ?? { fps: spec.fps, width: spec.width };
  const height = heightForWidth(s.width, master);
  const graph = [
    `[0:v]fps=${s.fps},scale=${s.width}:${height}:flags=lanczos,setsar=1,split[g0][g1]`,
    '[g0]palettegen=stats_mode=diff[pal]',
    '[g1][pal]paletteuse=dither=bayer:bayer_scale=5:diff_mode=rectangle[gif]',
  ].join(';');
  return [
    ...transcodeFlags,
    // -t on the input stops demuxing after the preview: nothing later is decoded.
    '-t', seconds(gifDurationSec(spec, master.durationSec)),
    '-i', fileUrl(o.input),
    '-filter_complex', graph,
    '-map', '[gif]',
    // Loop forever, as every email client expects of a preview.
    '-loop', '0',
    '-f', 'gif',
    fileUrl(join(o.outDir, spec.name)),
  ];
}
