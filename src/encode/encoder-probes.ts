import { scaleChain } from './frame-pipeline.js';

/**
 * The one-frame ffmpeg runs that prove a GPU stage works (pure argument
 * builders). Each probe runs the same filters and encoders as the real
 * pipeline, on one tiny frame, so that a probe that passes means the
 * transcode will too: a listed encoder only proves it was compiled in.
 */

/** A GPU stage that detection checks. */
export type ProbeId =
  | 'h264_nvenc'
  | 'hevc_nvenc'
  | 'nvdec'
  | 'h264_vaapi'
  | 'hevc_vaapi'
  | 'vaapi_decode'
  | 'h264_qsv'
  | 'hevc_qsv';

export type EncoderFamily = 'nvidia' | 'vaapi' | 'qsv';

export interface ProbeContext {
  /** A one-frame H.264 MP4 made with libx264 (decode probes only). */
  samplePath?: string;
  /** VAAPI render node (VAAPI probes only). */
  vaapiDevice?: string;
}

export interface ProbeSpec {
  id: ProbeId;
  family: EncoderFamily;
  /** What the ffmpeg build must list for the probe to be worth running. */
  requires: { encoders?: readonly string[]; hwaccels?: readonly string[]; filters?: readonly string[] };
  /** Decodes the H.264 sample rather than encoding a generated frame. */
  needsSample: boolean;
  /** Needs a /dev/dri render node. */
  needsRenderNode: boolean;
  /** Skipped (not run) when this probe did not pass: HEVC is only worth it next to H.264. */
  after?: ProbeId;
  args(ctx: ProbeContext): string[];
}

/** 256x256 is above every encoder's minimum size (NVENC rejects frames under ~145 px wide). */
const PROBE_SIZE = 256;
const HEAD = ['-hide_banner', '-nostdin', '-loglevel', 'error'] as const;
const ONE_FRAME_SOURCE = ['-f', 'lavfi', '-i', `color=c=gray:size=${PROBE_SIZE}x${PROBE_SIZE}:rate=25:duration=0.04`, '-frames:v', '1'] as const;
const TO_NULL = ['-f', 'null', '-'] as const;
// The decode probes scale with the transcode pipeline's own filter chain (same
// scaler options), down to system memory: the NVDEC-only path.
const HALF_SIZE = { width: PROBE_SIZE / 2, height: PROBE_SIZE / 2, systemFormat: 'nv12' } as const;

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`probe needs ${what}`);
  return value;
}

/** Arguments that write the one-frame H.264 sample the decode probes read. */
export function buildSampleArgs(outPath: string): string[] {
  return [...HEAD, '-y', ...ONE_FRAME_SOURCE, '-c:v', 'libx264', '-pix_fmt', 'yuv420p', outPath];
}

function nvencArgs(encoder: string): string[] {
  return [...HEAD, ...ONE_FRAME_SOURCE, '-c:v', encoder, ...TO_NULL];
}

function vaapiEncodeArgs(encoder: string, device: string): string[] {
  // The encoder takes VAAPI surfaces only: upload the software frame first.
  return [...HEAD, '-vaapi_device', device, ...ONE_FRAME_SOURCE, '-vf', 'format=nv12,hwupload', '-c:v', encoder, ...TO_NULL];
}

function qsvArgs(encoder: string): string[] {
  // h264_qsv opens its own session for system-memory nv12 frames: the same path as a CPU decode + QSV encode.
  return [...HEAD, ...ONE_FRAME_SOURCE, '-vf', 'format=nv12', '-c:v', encoder, ...TO_NULL];
}

/**
 * Every probe, in the order detection runs them. The decode probes scale on
 * the GPU and then download the frame: with `-hwaccel cuda` alone, ffmpeg
 * silently falls back to a software decode when NVDEC cannot take the
 * stream, while `scale_cuda` fails on a software frame, so the probe cannot
 * pass by accident. The download is the NVDEC-only path (H100/H200), whose
 * frames go to libx264.
 */
export const PROBES: readonly ProbeSpec[] = [
  {
    id: 'h264_nvenc',
    family: 'nvidia',
    requires: { encoders: ['h264_nvenc'] },
    needsSample: false,
    needsRenderNode: false,
    args: () => nvencArgs('h264_nvenc'),
  },
  {
    id: 'hevc_nvenc',
    family: 'nvidia',
    requires: { encoders: ['hevc_nvenc'] },
    needsSample: false,
    needsRenderNode: false,
    after: 'h264_nvenc',
    args: () => nvencArgs('hevc_nvenc'),
  },
  {
    id: 'nvdec',
    family: 'nvidia',
    requires: { hwaccels: ['cuda'], filters: ['scale_cuda', 'hwdownload'] },
    needsSample: true,
    needsRenderNode: false,
    args: (ctx) => [
      ...HEAD,
      '-hwaccel', 'cuda',
      '-hwaccel_output_format', 'cuda',
      '-i', required(ctx.samplePath, 'the H.264 sample'),
      '-vf', scaleChain('cuda', 'system', HALF_SIZE),
      '-frames:v', '1',
      ...TO_NULL,
    ],
  },
  {
    id: 'h264_vaapi',
    family: 'vaapi',
    requires: { encoders: ['h264_vaapi'], hwaccels: ['vaapi'], filters: ['hwupload'] },
    needsSample: false,
    needsRenderNode: true,
    args: (ctx) => vaapiEncodeArgs('h264_vaapi', required(ctx.vaapiDevice, 'a VAAPI device')),
  },
  {
    id: 'hevc_vaapi',
    family: 'vaapi',
    requires: { encoders: ['hevc_vaapi'], hwaccels: ['vaapi'], filters: ['hwupload'] },
    needsSample: false,
    needsRenderNode: true,
    after: 'h264_vaapi',
    args: (ctx) => vaapiEncodeArgs('hevc_vaapi', required(ctx.vaapiDevice, 'a VAAPI device')),
  },
  {
    id: 'vaapi_decode',
    family: 'vaapi',
    requires: { hwaccels: ['vaapi'], filters: ['scale_vaapi', 'hwdownload'] },
    needsSample: true,
    needsRenderNode: true,
    args: (ctx) => [
      ...HEAD,
      '-hwaccel', 'vaapi',
      '-hwaccel_device', required(ctx.vaapiDevice, 'a VAAPI device'),
      '-hwaccel_output_format', 'vaapi',
      '-i', required(ctx.samplePath, 'the H.264 sample'),
      '-vf', scaleChain('vaapi', 'system', HALF_SIZE),
      '-frames:v', '1',
      ...TO_NULL,
    ],
  },
  {
    id: 'h264_qsv',
    family: 'qsv',
    requires: { encoders: ['h264_qsv'], hwaccels: ['qsv'] },
    needsSample: false,
    needsRenderNode: false,
    args: () => qsvArgs('h264_qsv'),
  },
  {
    id: 'hevc_qsv',
    family: 'qsv',
    requires: { encoders: ['hevc_qsv'], hwaccels: ['qsv'] },
    needsSample: false,
    needsRenderNode: false,
    after: 'h264_qsv',
    args: () => qsvArgs('hevc_qsv'),
  },
];
