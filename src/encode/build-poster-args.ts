import { join } from 'node:path';
import { buildFrameGrabArgs } from './build-frame-grab-args.js';
import type { PosterSpec } from './channel-profile.schema.js';
import { grabSeconds, heightForWidth, type TranscodeArgsInput } from './transcode-args-input.js';

/**
 * Builds the ffmpeg run for a poster JPEG: one frame at the spec's time (else
 * the template's poster frame), `spec.width` wide at the master's aspect, with
 * the play badge when `spec.playBadge` (email). Decode and scale follow
 * `caps.decode`; with CUDA the badge is composited by overlay_cuda.
 */
export function buildPosterArgs(o: TranscodeArgsInput<PosterSpec>): string[] {
  const { spec, master } = o;
  return buildFrameGrabArgs({
    input: o.input,
    output: join(o.outDir, spec.name),
    caps: o.caps,
    atSeconds: grabSeconds(spec.atSeconds, o.atSeconds, master),
    width: spec.width,
    height: heightForWidth(spec.width, master),
    playBadge: spec.playBadge,
    // mjpeg wants full-range YUV; -q:v is its 2 (best) .. 31 scale. `-update 1`
    // writes a single image to a plain name. https://ffmpeg.org/ffmpeg-formats.html#image2-2
    pixelFormat: 'yuvj420p',
    encoderArgs: ['-c:v', 'mjpeg', '-q:v', String(spec.quality), '-f', 'image2', '-update', '1'],
  });
}
