import { AppError } from '../errors/index.js';
import {
  encodeOptionsSchema,
  type AudioTrack,
  type EncodeOptions,
  type InputCodec,
  type X264Preset,
} from './encode-options.schema.js';

/** Defaults, in one place so docs, tests and code agree. */
export const encodeDefaults = {
  mp4: { crf: 20, preset: 'veryfast' as X264Preset },
  // libvpx-vp9 in constant-quality mode; realtime + cpu-used 8 is its fastest
  // setting, which matters on render workers with 2 cores.
  webm: { crf: 32, deadline: 'realtime' as const, cpuUsed: 8 },
  // Email clients show GIFs at ~480 px; 15 fps keeps a 3 s preview under 1 MB.
  gif: { fps: 15, width: 480 },
} as const;

interface ResolvedCommon {
  fps: number;
  width: number;
  height: number;
  inputCodec: InputCodec;
  outPath: string;
  durationInFrames: number;
  /** durationInFrames / fps: the exact length of the output. */
  durationSec: number;
  threads: number | null;
  /** Only tracks that are audible inside [0, durationInFrames). */
  audioTracks: AudioTrack[];
}

/** Complete internal options: every default applied, per format. */
export type ResolvedEncodeOptions =
  | (ResolvedCommon & {
      format: 'mp4';
      crf: number;
      preset: X264Preset;
      x264Params: Record<string, string | number>;
      fragmented: boolean;
      chunk: boolean;
      streamable: boolean;
      toPipe: boolean;
    })
  | (ResolvedCommon & {
      format: 'webm';
      crf: number;
      deadline: 'realtime';
      cpuUsed: number;
    })
  | (ResolvedCommon & {
      format: 'gif';
      gifFps: number;
      gifWidth: number;
    });

function invalid(message: string, details: Record<string, unknown> = {}): AppError {
  return new AppError('INVALID_ARGUMENT', message, { details });
}

/** A track is kept when some of it plays inside the video. */
function isAudible(track: AudioTrack, durationInFrames: number): boolean {
  const end = track.durationInFrames === undefined ? Infinity : track.fromFrame + track.durationInFrames;
  return track.fromFrame < durationInFrames && end > 0 && track.volume > 0;
}

/**
 * Validates public encode options and fills every default once. Throws
 * AppError('INVALID_ARGUMENT') with every problem listed.
 */
export function resolveEncodeOptions(options: EncodeOptions): ResolvedEncodeOptions {
  const parsed = encodeOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw invalid(`Invalid encode options: ${problems.join('; ')}`, { problems });
  }
  const o = parsed.data;
  const common: ResolvedCommon = {
    fps: o.fps,
    width: o.width,
    height: o.height,
    inputCodec: o.inputCodec,
    outPath: o.outPath,
    durationInFrames: o.durationInFrames,
    durationSec: o.durationInFrames / o.fps,
    threads: o.threads ?? null,
    audioTracks: (o.audioTracks ?? []).filter((t) => isAudible(t, o.durationInFrames)),
  };

  if (o.format === 'gif') {
    // GIF has no audio; never upscale, never raise the frame rate.
    return {
      ...common,
      format: 'gif',
      audioTracks: [],
      gifFps: Math.min(o.gif?.fps ?? encodeDefaults.gif.fps, o.fps),
      gifWidth: Math.min(o.gif?.width ?? encodeDefaults.gif.width, o.width),
    };
  }

  // yuv420p stores chroma at half resolution: libx264 refuses odd sizes.
  if (o.width % 2 !== 0 || o.height % 2 !== 0) {
    throw invalid(`${o.format} output needs an even width and height (yuv420p), got ${o.width}x${o.height}.`, {
      width: o.width,
      height: o.height,
    });
  }

  if (o.format === 'mp4') {
    const crf = o.crf ?? encodeDefaults.mp4.crf;
    if (crf > 51) throw invalid(`mp4 crf must be between 0 and 51, got ${crf}.`, { crf });
    if (o.chunk && (o.fragmented || (o.audioTracks ?? []).length > 0)) {
      throw invalid('a chunk of a split render is a plain MP4 without sound: its soundtrack is encoded once, when the chunks are joined.');
    }
    if ((o.streamable && !o.chunk) || (o.toPipe && !o.streamable)) {
      throw invalid('streamable and toPipe describe a chunk of a streamed split render (toPipe: its first chunk).');
    }
    return {
      ...common,
      format: 'mp4',
      crf,
      preset: o.preset ?? encodeDefaults.mp4.preset,
      x264Params: o.x264Params ?? {},
      fragmented: o.fragmented ?? false,
      chunk: o.chunk ?? false,
      streamable: o.streamable ?? false,
      toPipe: o.toPipe ?? false,
    };
  }

  return {
    ...common,
    format: 'webm',
    crf: o.crf ?? encodeDefaults.webm.crf,
    deadline: encodeDefaults.webm.deadline,
    cpuUsed: encodeDefaults.webm.cpuUsed,
  };
}
