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
export { buildEncodeArgs, muxerByFormat, commonFfmpegFlags, fileUrl, CHUNK_TIMESCALE } from './build-encode-args.js';
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
export { buildAudioRemuxArgs, buildFaststartRemuxArgs, type AudioRemuxOptions } from './build-audio-remux-args.js';
export { buildConcatArgs, buildConcatList, type ConcatArgsOptions, type ConcatChunk } from './build-concat-args.js';
export { buildChunkStreamMuxArgs, buildChunkToStreamArgs, buildStreamedChunkRemuxArgs, type ChunkStreamMuxOptions } from './build-chunk-stream-args.js';
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
export { detectEncoders, listRenderNodes, type DetectEncodersOptions, type EncoderDetection } from './detect-encoders.js';
export { describeCaps } from './describe-caps.js';
export { encoderModes, type EncoderMode, type CheckStatus, type CandidateCheck, type DetectionReport } from './detection-report.js';
export { chooseEncoderCaps, capsForFamily } from './choose-encoder-caps.js';
export { PROBES, buildSampleArgs, type ProbeId, type ProbeSpec, type ProbeContext, type EncoderFamily } from './encoder-probes.js';
export { parseCodecList, parseHwaccelList, parseFilterList, summarizeFfmpegError, type FfmpegListing } from './parse-ffmpeg-listing.js';
export { createCommandRunner, type CommandRunner, type CommandResult } from './run-command.js';
export {
  channelNameSchema,
  channelProfileOverrideSchema,
  channelProfileOverridesSchema,
  type ChannelProfileOverride,
  type ChannelProfileOverrides,
} from './channel-profile-overrides.schema.js';
export { resolveChannelProfile, type ChannelProfileOverridesInput } from './resolve-channel-profile.js';
export { transcodeFlags, grabSeconds, heightForWidth, DEFAULT_VAAPI_DEVICE, type MasterInfo, type TranscodeArgsInput } from './transcode-args-input.js';
export { planFrames, scaleChain, sinkForEncoder, systemFormatFor, type FrameSink, type FramePipeline, type ScaleChainOptions } from './frame-pipeline.js';
export { pickVideoEncoder, qualityArgs, bitrateArgs, audioArgs, isTwoPassEncoder, type BitrateOptions } from './video-encoder-args.js';
export { budgetVideoBitrateK, retryVideoBitrateK, BUDGET_SAFETY, type BudgetInput } from './budget-bitrate.js';
export { playBadge, type PlayBadge } from './play-badge.js';
export { buildFrameGrabArgs, type FrameGrabOptions } from './build-frame-grab-args.js';
export { buildFrameDecodeArgs, type FrameDecodeOptions } from './build-frame-decode-args.js';
export { buildPosterArgs } from './build-poster-args.js';
export { buildStillCardArgs } from './build-still-card-args.js';
export { buildGifArgs, gifSettingsAt, gifDurationSec, type GifArgsInput, type GifSettings } from './build-gif-args.js';
export { buildVideoTranscodeArgs, PASS_LOG_NAME, type VideoTranscodeArgs, type VideoTranscodeArgsInput } from './build-video-transcode-args.js';
export { buildHlsArgs, hlsRungNames, HLS_RUNG_PLAYLIST } from './build-hls-args.js';
export { mp4TopLevelBoxes, isFaststart } from './mp4-top-level-boxes.js';
export { contentTypeFor, listDeliverableFiles, type DeliverableFile } from './deliverable-files.js';
export { parseMasterPlaylist, parseMediaPlaylist, verifyHls } from './verify-hls.js';
export { verifyDeliverable, type VerifyDeliverableInput } from './verify-deliverable.js';
export { runFfmpeg, type RunFfmpegOptions } from './run-ffmpeg.js';
export { encodeDeliverable, type EncodeOutcome, type RunStep } from './encode-deliverable.js';
export {
  transcodeDeliverable,
  isPassThrough,
  effectiveCaps,
  type TranscodeDeliverableInput,
  type TranscodeDeliverableResult,
} from './transcode-deliverable.js';
export { createChannelProfileResolver, type ChannelProfileResolver } from './channel-profile-resolver.js';
