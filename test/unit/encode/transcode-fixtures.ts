import { CHANNEL_PROFILES, CPU_CAPS, deliverableSpecSchema, type DeliverableSpec, type EncoderCaps, type MasterInfo } from '../../../src/encode/index.js';

/** The four pipelines every builder is checked against. */
export const PIPELINES = {
  cpu: CPU_CAPS,
  nvidia: { decode: 'cuda', h264: 'h264_nvenc', hevc: 'hevc_nvenc', label: 'nvidia' },
  // H100/H200: NVDEC and CUDA filters, no NVENC.
  nvdec: { decode: 'cuda', h264: 'libx264', label: 'nvidia-decode' },
  vaapi: { decode: 'vaapi', h264: 'h264_vaapi', hevc: 'hevc_vaapi', vaapiDevice: '/dev/dri/renderD129', label: 'vaapi' },
} as const satisfies Record<string, EncoderCaps>;

export type PipelineName = keyof typeof PIPELINES;
export const PIPELINE_NAMES = Object.keys(PIPELINES) as PipelineName[];

export const LANDSCAPE: MasterInfo = { width: 1280, height: 720, fps: 30, durationSec: 10, hasAudio: true };
export const PORTRAIT: MasterInfo = { width: 720, height: 1280, fps: 30, durationSec: 10, hasAudio: true };
export const SQUARE: MasterInfo = { width: 1080, height: 1080, fps: 30, durationSec: 10, hasAudio: true };

/** A default-profile deliverable, with schema defaults applied. */
export function defaultSpec<K extends DeliverableSpec['kind']>(channel: keyof typeof CHANNEL_PROFILES, kind: K): Extract<DeliverableSpec, { kind: K }> {
  const raw = (CHANNEL_PROFILES[channel].deliverables as readonly { kind: string }[]).find((d) => d.kind === kind);
  if (!raw) throw new Error(`${channel} has no ${kind}`);
  return deliverableSpecSchema.parse(raw) as Extract<DeliverableSpec, { kind: K }>;
}

/** The filter graph of an argument list (-vf or -filter_complex). */
export function graphOf(args: readonly string[]): string {
  const i = args.findIndex((a) => a === '-vf' || a === '-filter_complex');
  return i === -1 ? '' : (args[i + 1] as string);
}

/** Everything before the (first) `-i`: the input options. */
export function inputOptions(args: readonly string[]): string[] {
  return args.slice(0, args.indexOf('-i'));
}
