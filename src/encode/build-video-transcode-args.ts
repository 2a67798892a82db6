import { join } from 'node:path';
import { budgetVideoBitrateK } from './budget-bitrate.js';
import { fileUrl } from './build-encode-args.js';
import type { VideoSpec } from './channel-profile.schema.js';
import { planFrames, scaleChain, sinkForEncoder, systemFormatFor } from './frame-pipeline.js';
import { transcodeFlags, type TranscodeArgsInput } from './transcode-args-input.js';
import { audioArgs, bitrateArgs, isTwoPassEncoder, pickVideoEncoder, qualityArgs } from './video-encoder-args.js';

export interface VideoTranscodeArgsInput extends TranscodeArgsInput<VideoSpec> {
  /** Forces this video bitrate (the lower retry after a budget miss); default: derived from spec.maxBytes. */
  bitrateK?: number;
}

/** The ffmpeg runs of one video deliverable. */
export interface VideoTranscodeArgs {
  /** One run, or two for a two-pass budget encode (run them in order). */
  runs: string[][];
  /** The video encoder used. */
  encoder: string;
  /** The video bitrate when a byte budget applies. */
  bitrateK?: number;
  /** Stats-file prefix of a two-pass run (`<prefix>-0.log*`); delete those files afterwards. */
  passLogPrefix?: string;
}

/** Name of the two-pass stats files inside outDir: hidden, so file listings skip them. */
export const PASS_LOG_NAME = '.passlog';

/**
 * Builds the ffmpeg runs that cut one MP4/WebM deliverable from the master:
 * decode and scale per caps (CPU, CUDA, NVDEC + CPU encode, VAAPI), encode
 * at constant quality, or, with `maxBytes`, at a bitrate derived from the
 * budget (two passes for libx264/libvpx-vp9, capped VBV otherwise). MP4 gets
 * faststart; audio is AAC (MP4) or Opus (WebM) when the master has audio.
 */
export function buildVideoTranscodeArgs(o: VideoTranscodeArgsInput): VideoTranscodeArgs {
  const { spec, master } = o;
  const encoder = pickVideoEncoder(spec.codec, o.caps);
  const sink = sinkForEncoder(encoder);
  const frames = planFrames(o.caps, sink);
  const fps = spec.fps !== undefined && spec.fps !== master.fps ? spec.fps : undefined;
  const systemFormat = systemFormatFor(encoder, frames.decode);
  const vf = scaleChain(frames.decode, sink, { width: spec.width, height: spec.height, fps, systemFormat });
  const input = [...transcodeFlags, ...frames.inputArgs, '-i', fileUrl(o.input)];
  const maps = ['-map', '0:v:0', ...(master.hasAudio ? ['-map', '0:a:0'] : [])];
  const muxer = spec.container === 'mp4' ? ['-movflags', '+faststart', '-f', 'mp4'] : ['-f', 'webm'];
  const output = [...audioArgs(spec.container, spec.audioBitrateK, master.hasAudio), ...muxer, fileUrl(join(o.outDir, spec.name))];

  if (spec.maxBytes === undefined) {
    return { runs: [[...input, ...maps, '-vf', vf, ...qualityArgs(encoder, spec.crf), ...output]], encoder };
  }
  const bitrateK =
    o.bitrateK ??
    budgetVideoBitrateK({ maxBytes: spec.maxBytes, durationSec: master.durationSec, audioBitrateK: master.hasAudio ? spec.audioBitrateK : 0 });
  if (!isTwoPassEncoder(encoder)) {
    return { runs: [[...input, ...maps, '-vf', vf, ...bitrateArgs(encoder, { bitrateK }), ...output]], encoder, bitrateK };
  }
  const logPrefix = join(o.outDir, PASS_LOG_NAME);
  // Pass 1 only gathers statistics: no audio, no file (the null muxer writes nothing).
  // Both passes must encode exactly the same frames. With audio mapped (pass 2
  // only), a master whose video starts after its audio (B-frame delay without
  // an edit list) makes the muxer duplicate frames to fill the gap, and x264
  // then stops with "Incomplete MB-tree stats file". passthrough keeps every
  // frame as decoded, once. https://ffmpeg.org/ffmpeg.html#Advanced-Video-options (-fps_mode)
  const sync = ['-fps_mode', 'passthrough'];
  const pass1 = [...input, '-map', '0:v:0', '-vf', vf, ...sync, ...bitrateArgs(encoder, { bitrateK, pass: { index: 1, logPrefix } }), '-an', '-f', 'null', '-'];
  const pass2 = [...input, ...maps, '-vf', vf, ...sync, ...bitrateArgs(encoder, { bitrateK, pass: { index: 2, logPrefix } }), ...output];
  return { runs: [pass1, pass2], encoder, bitrateK, passLogPrefix: logPrefix };
}
