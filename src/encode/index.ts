export {
  outputFormatSchema,
  videoFormatSchema,
  stillFormatSchema,
  formatFromPath,
  isStillFormat,
  isVideoFormat,
  type OutputFormat,
  type VideoFormat,
  type StillFormat,
} from './output-format.schema.js';
export {
  encodeOptionsSchema,
  audioTrackSchema,
  inputCodecSchema,
  x264PresetSchema,
  type EncodeOptions,
  type AudioTrack,
  type AudioTrackInput,
  type InputCodec,
  type X264Preset,
} from './encode-options.schema.js';
export { resolveEncodeOptions, encodeDefaults, type ResolvedEncodeOptions } from './resolve-encode-options.js';
export { buildAudioMixFilter, MIX_SAMPLE_RATE, type AudioMixFilter, type AudioMixFilterOptions } from './build-audio-mix-filter.js';
export { buildEncodeArgs, muxerByFormat, commonFfmpegFlags, fileUrl } from './build-encode-args.js';
export { buildStillArgs, stillOptionsSchema, jpegQscale, DEFAULT_STILL_QUALITY, type StillOptions } from './build-still-args.js';
export { createProgressParser, type FfmpegProgress } from './ffmpeg-progress-parser.js';
export { startFfmpeg, FFMPEG_INSTALL_HINT, type FfmpegProcess, type StartFfmpegOptions } from './ffmpeg-process.js';
export { prepareOutput, writeFileAtomic, tempPathFor, type PreparedOutput } from './atomic-output.js';
export { probe, summarizeProbe, parseFrameRate, ffprobeJsonSchema, type ProbeResult, type ProbeOptions, type FfprobeJson } from './probe.js';
export {
  checkBinary,
  locateBinary,
  findFfmpeg,
  findFfprobe,
  findChromium,
  installHints,
  type CheckBinaryOptions,
  type FindBinaryOptions,
  type ChromiumLocation,
} from './check-dependencies.js';
export { unwrapLauncherScript } from './unwrap-launcher-script.js';
export { buildAudioRemuxArgs, type AudioRemuxOptions } from './build-audio-remux-args.js';
export { CPU_CAPS, usesGpu, type EncoderCaps } from './encoder-caps.js';
export { CHANNEL_PROFILES, CHANNEL_NAMES, type ChannelName } from './channel-profiles.js';
export {
  deliverableSpecSchema,
  channelProfileSchema,
  type ChannelProfile,
  type DeliverableSpec,
  type DeliverableSpecInput,
  type PosterSpec,
  type GifSpec,
  type VideoSpec,
  type HlsSpec,
  type StillSpec,
} from './channel-profile.schema.js';
