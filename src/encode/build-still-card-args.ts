import { join } from 'node:path';
import { buildFrameGrabArgs } from './build-frame-grab-args.js';
import type { StillSpec } from './channel-profile.schema.js';
import { grabSeconds, heightForWidth, type TranscodeArgsInput } from './transcode-args-input.js';

/**
 * Builds the ffmpeg run for a still PNG card (call centre): the key data
 * frame (the spec's time, else the template's poster frame), `spec.width`
 * wide at the master's aspect. PNG is lossless, so text on the card stays
 * sharp for agents reading it. Decode and scale follow `caps.decode`.
 */
export function buildStillCardArgs(o: TranscodeArgsInput<StillSpec>): string[] {
  const { spec, master } = o;
  return buildFrameGrabArgs({
    input: o.input,
    output: join(o.outDir, spec.name),
    caps: o.caps,
    atSeconds: grabSeconds(spec.atSeconds, o.atSeconds, master),
    width: spec.width,
    height: heightForWidth(spec.width, master),
    playBadge: false,
    pixelFormat: 'rgb24',
    encoderArgs: ['-c:v', 'png', '-f', 'image2', '-update', '1'],
  });
}
