import type { VideoSpec } from './channel-profile.schema.js';
import type { EncoderCaps } from './encoder-caps.js';

/** x264/x265 preset for single files: `fast` is ~2x quicker than `medium` for ~3% more bits. */
export const X264_FILE_PRESET = 'fast';
/** NVENC preset for files: p5 ("slow") still runs far above real time on any NVENC GPU. */
export const NVENC_FILE_PRESET = 'p5';

/** The encoder for a codec under these caps; VP9 and a missing HEVC encoder fall back to the CPU library. */
export function pickVideoEncoder(codec: VideoSpec['codec'], caps: EncoderCaps): string {
  if (codec === 'h264') return caps.h264;
  if (codec === 'hevc') return caps.hevc ?? 'libx265';
  // No NVENC VP9 encoder exists, and vp9_vaapi is rare and unverified by detection.
  return 'libvpx-vp9';
}

/** True for encoders that run two passes here when a byte budget applies. */
export function isTwoPassEncoder(encoder: string): boolean {
  return encoder === 'libx264' || encoder === 'libvpx-vp9';
}

/** Codec-specific flags that do not depend on rate control. */
function baseArgs(encoder: string): string[] {
  switch (encoder) {
    case 'libx264':
      return ['-c:v', 'libx264', '-preset', X264_FILE_PRESET, '-profile:v', 'high'];
    case 'libx265':
      // hvc1 is the sample entry Safari/QuickTime require for HEVC in MP4.
      return ['-c:v', 'libx265', '-preset', X264_FILE_PRESET, '-tag:v', 'hvc1'];
    case 'h264_nvenc':
      return ['-c:v', 'h264_nvenc', '-preset', NVENC_FILE_PRESET, '-tune', 'hq', '-profile:v', 'high'];
    case 'hevc_nvenc':
      return ['-c:v', 'hevc_nvenc', '-preset', NVENC_FILE_PRESET, '-tune', 'hq', '-tag:v', 'hvc1'];
    case 'h264_vaapi':
      return ['-c:v', 'h264_vaapi', '-profile:v', 'high'];
    case 'hevc_vaapi':
      return ['-c:v', 'hevc_vaapi', '-tag:v', 'hvc1'];
    case 'h264_qsv':
    case 'hevc_qsv':
      return ['-c:v', encoder, '-preset', 'medium', ...(encoder === 'hevc_qsv' ? ['-tag:v', 'hvc1'] : [])];
    case 'libvpx-vp9':
      // good + cpu-used 4 is libvpx's recommended VOD speed; row-mt spreads one
      // tile over several threads. https://developers.google.com/media/vp9/settings/vod
      return ['-c:v', 'libvpx-vp9', '-deadline', 'good', '-cpu-used', '4', '-row-mt', '1'];
    default:
      return ['-c:v', encoder];
  }
}

/** Constant-quality flags: `crf` on the x264 (or VP9) scale, mapped per encoder. */
export function qualityArgs(encoder: string, crf: number): string[] {
  const q = String(crf);
  switch (encoder) {
    case 'libx264':
    case 'libx265':
      return [...baseArgs(encoder), '-crf', q];
    case 'libvpx-vp9':
      // -b:v 0 makes -crf constant quality instead of a capped bitrate.
      // https://trac.ffmpeg.org/wiki/Encode/VP9#constantq
      return [...baseArgs(encoder), '-crf', q, '-b:v', '0'];
    case 'h264_nvenc':
    case 'hevc_nvenc':
      // VBR with -cq and no target bitrate is NVENC's constant-quality mode; its
      // scale is close to x264's CRF. https://docs.nvidia.com/video-technologies/video-codec-sdk/12.0/nvenc-video-encoder-api-prog-guide/index.html#rate-control
      return [...baseArgs(encoder), '-rc', 'vbr', '-cq', q, '-b:v', '0'];
    case 'h264_vaapi':
    case 'hevc_vaapi':
      // Constant QP is the one rate-control mode every VAAPI driver supports.
      return [...baseArgs(encoder), '-rc_mode', 'CQP', '-qp', q];
    default:
      // QSV's ICQ mode takes the quality as global_quality.
      return [...baseArgs(encoder), '-global_quality', q];
  }
}

export interface BitrateOptions {
  /** Average video bitrate in kbit/s. */
  bitrateK: number;
  /** Two-pass encoders: which pass, and the stats file prefix shared by both. */
  pass?: { index: 1 | 2; logPrefix: string };
}

/**
 * Bitrate-targeted flags for a byte budget. libx264 and libvpx-vp9 run two
 * passes (the second spends bits where the first saw complexity); GPU encoders
 * and libx265 run one pass with the VBV buffer capped at one second of the
 * target, so no stretch of the file can overshoot by more than that.
 * https://trac.ffmpeg.org/wiki/Encode/H.264#twopass
 */
export function bitrateArgs(encoder: string, o: BitrateOptions): string[] {
  const k = (n: number): string => `${Math.max(1, Math.round(n))}k`;
  const target = ['-b:v', k(o.bitrateK)];
  const pass = o.pass ? ['-pass', String(o.pass.index), '-passlogfile', o.pass.logPrefix] : [];
  switch (encoder) {
    case 'libx264':
      // A loose cap keeps single scenes from starving the rest of the budget.
      return [...baseArgs(encoder), ...target, '-maxrate', k(o.bitrateK * 1.5), '-bufsize', k(o.bitrateK * 2), ...pass];
    case 'libvpx-vp9':
      return [...baseArgs(encoder), ...target, ...pass];
    case 'h264_nvenc':
    case 'hevc_nvenc':
      // multipass fullres: NVENC's own two-pass within one run (SDK 10+).
      return [...baseArgs(encoder), '-rc', 'vbr', '-multipass', 'fullres', ...target, '-maxrate', k(o.bitrateK), '-bufsize', k(o.bitrateK)];
    case 'h264_vaapi':
    case 'hevc_vaapi':
      return [...baseArgs(encoder), '-rc_mode', 'VBR', ...target, '-maxrate', k(o.bitrateK), '-bufsize', k(o.bitrateK)];
    default:
      return [...baseArgs(encoder), ...target, '-maxrate', k(o.bitrateK), '-bufsize', k(o.bitrateK)];
  }
}

/** Audio flags: AAC in MP4, Opus in WebM; `-an` when the master is silent. */
export function audioArgs(container: 'mp4' | 'webm', bitrateK: number, hasAudio: boolean): string[] {
  if (!hasAudio) return ['-an'];
  return ['-c:a', container === 'webm' ? 'libopus' : 'aac', '-b:a', `${bitrateK}k`];
}
