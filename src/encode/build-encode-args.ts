import { buildAudioMixFilter, formatNumber } from './build-audio-mix-filter.js';
import type { EncodeOptions } from './encode-options.schema.js';
import type { VideoFormat } from './output-format.schema.js';
import { resolveEncodeOptions, type ResolvedEncodeOptions } from './resolve-encode-options.js';

/** The ffmpeg muxer per format, passed with `-f` because temp names end in `.partial`. */
export const muxerByFormat: Readonly<Record<VideoFormat, string>> = { mp4: 'mp4', webm: 'webm', gif: 'gif' };

/**
 * Flags every ffmpeg run gets. stdin is the frame pipe, so `-nostdin` is NOT
 * passed. Progress goes to stdout as key=value blocks (stdout is otherwise
 * unused: the output is a file) and errors alone go to stderr, which keeps the
 * stderr tail in error messages readable.
 * https://ffmpeg.org/ffmpeg.html#Advanced-options (-progress)
 */
export const commonFfmpegFlags: readonly string[] = ['-hide_banner', '-loglevel', 'error', '-nostats', '-progress', 'pipe:1', '-y'];

/**
 * Prefixes `file:` so a path containing `:` (or starting with a protocol name)
 * is never read as a URL. https://ffmpeg.org/ffmpeg-protocols.html#file
 */
export function fileUrl(path: string): string {
  return `file:${path}`;
}

function frameInput(o: ResolvedEncodeOptions): string[] {
  // image2pipe reads concatenated JPEG/PNG images from stdin; -framerate sets
  // their timestamps (image2pipe has no clock of its own). The codec is given,
  // so nothing needs probing: without the two probe limits ffmpeg buffers ~5 MB
  // of frames (80+ frames) before its first output byte, which a streamed cold
  // video would wait for. https://ffmpeg.org/ffmpeg-formats.html#Format-Options
  return ['-f', 'image2pipe', '-probesize', '32', '-analyzeduration', '0', '-c:v', o.inputCodec, '-framerate', formatNumber(o.fps), '-i', 'pipe:0'];
}

function threadArgs(o: ResolvedEncodeOptions): string[] {
  return o.threads === null ? [] : ['-threads', String(o.threads)];
}

/**
 * Chromium's frames are sRGB (PNG) or full-range BT.601 JPEG. Convert them to
 * limited-range BT.709 and tag the stream so, which is what players assume for
 * HD video; untagged streams get shifted colours in some browsers.
 * https://trac.ffmpeg.org/wiki/colorspace
 *
 * zscale (zimg) rather than swscale: swscale's matrix change from a JPEG
 * turns white into Y 234 / U 127 / V 127 instead of 235 / 128 / 128, and its
 * slice threads leave one-level seams where slices meet; its accurate_rnd
 * flags fix both but make the encode 4x slower. zscale is exact, seamless and
 * as fast as the default. `matrixin`/`rangein` describe a JPEG input (JFIF
 * is full-range BT.601) and are ignored for RGB (PNG) input. A plain
 * `format=yuv420p` would keep white exact but leave BT.601 colours under a
 * BT.709 tag (pure red 19 levels off in Y).
 * https://ffmpeg.org/ffmpeg-filters.html#zscale
 */
const yuv420pVideoFilter = 'zscale=matrixin=470bg:rangein=full:matrix=709:range=limited,format=yuv420p';
const bt709Tags = ['-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709', '-color_range', 'tv'];

/**
 * The priming ffmpeg's AAC encoder puts before the first sample (one frame,
 * its `initial_padding`). A normal MP4 hides it with an edit list; a
 * fragmented one cannot (its moov is written before any sample), so there the
 * mix is cut by that much and timed to start where the priming ends
 * (buildAudioMixFilter's trimStartSamples): players hear it on time, and no
 * negative audio timestamp makes the muxer shift the video's frames.
 * https://developer.apple.com/library/archive/technotes/tn2258/_index.html
 */
export const AAC_PRIMING_SAMPLES = 1024;

function audioArgs(o: ResolvedEncodeOptions, codec: string[], trimStartSamples = 0): string[] {
  if (o.audioTracks.length === 0) return [];
  const inputs = o.audioTracks.flatMap((t) => ['-i', t.path]);
  const mix = buildAudioMixFilter({ tracks: o.audioTracks, fps: o.fps, durationSec: o.durationSec, firstInputIndex: 1, trimStartSamples });
  return [...inputs, '-filter_complex', mix.filter, '-map', '0:v', '-map', mix.outputLabel, ...codec];
}

function mp4Args(o: Extract<ResolvedEncodeOptions, { format: 'mp4' }>): string[] {
  // A fragmented MP4 has no edit list, so B-frames' reorder delay (2 frames with
  // x264's defaults) would start its video after its audio: every reader
  // (Chromium, ffmpeg and so the faststart copy) takes the first picture at
  // 66 ms, negative composition offsets notwithstanding. Without B-frames
  // decode order is display order and the video starts at 0.
  // A streamable chunk (of a split master that streams) takes the stream's settings: its frames follow the first chunk's in one fragmented MP4.
  const noBframes = o.fragmented || o.streamable;
  const x264Params = { ...o.x264Params, ...(noBframes ? { bframes: 0 } : {}), ...(o.chunk ? { 'open-gop': 0 } : {}) };
  const params = Object.entries(x264Params).map(([k, v]) => `${k}=${v}`);
  return [
    ...frameInput(o),
    ...audioArgs(o, ['-c:a', 'aac', '-b:a', '128k'], o.fragmented ? AAC_PRIMING_SAMPLES : 0),
    '-vf', yuv420pVideoFilter,
    '-c:v', 'libx264', '-preset', o.preset, '-crf', String(o.crf),
    // High profile: every browser and phone made since ~2012 decodes it, and it
    // is ~10% smaller than main at equal quality.
    '-profile:v', 'high',
    '-pix_fmt', 'yuv420p',
    ...bt709Tags,
    '-r', formatNumber(o.fps),
    ...(params.length > 0 ? ['-x264-params', params.join(':')] : []),
    ...threadArgs(o),
    ...(o.fragmented
      ? // A moov with no samples up front, then a moof+mdat per keyframe (one a
        // second): every byte is final once written, so a reader can play it
        // while it grows. default_base_moof keeps fragments self-contained
        // (what MSE and Chrome's demuxer expect).
        // https://ffmpeg.org/ffmpeg-formats.html#Fragmentation
        [...keyframeEverySecond(o), '-movflags', '+frag_keyframe+empty_moov+default_base_moof', '-f', muxerByFormat.mp4, 'pipe:1']
      : o.chunk
        ? [...(o.streamable ? keyframeEverySecond(o) : []), ...chunkArgs(o)]
        : // Move the moov atom before mdat so playback starts before the download
        // ends (costs a second pass over the file). https://ffmpeg.org/ffmpeg-formats.html#mov_002c-mp4_002c-ismv
        ['-movflags', '+faststart', '-f', muxerByFormat.mp4, fileUrl(o.outPath)]),
  ];
}

/**
 * The MP4 timescale of every chunk of a split render: 90 kHz counts whole
 * ticks per frame at 24, 25, 30, 50 and 60 fps, so chunk boundaries land on
 * exact ticks and the concat demuxer's offsets add up without drift.
 */
export const CHUNK_TIMESCALE = 90_000;

/**
 * A chunk opens on an IDR frame (every x264 encode does) and no GOP reaches
 * past its end: `open-gop=0` says so explicitly, and it is what lets chunks
 * be joined by stream copy. Everything else is the unsplit master's settings.
 * https://ffmpeg.org/ffmpeg-formats.html#concat-1
 */
function chunkArgs(o: Extract<ResolvedEncodeOptions, { format: 'mp4' }>): string[] {
  // The first chunk of a streamed split goes to the master's stream muxer as
  // it is encoded: MPEG-TS, because TS segments concatenate (the later chunks
  // follow it on the same pipe) and keep 90 kHz timestamps; raw H.264 would
  // be re-timed by its demuxer in 1/1200000 s steps, which drift.
  if (o.toPipe) return [...MPEGTS_AS_IS, 'pipe:1'];
  return ['-video_track_timescale', String(CHUNK_TIMESCALE), '-f', muxerByFormat.mp4, fileUrl(o.outPath)];
}

/**
 * MPEG-TS output whose timestamps are written as given: without
 * `mpegts_copyts` the muxer adds its own delay (1.4 s by default), and the
 * chunks of one stream would have to agree on it.
 * https://ffmpeg.org/ffmpeg-formats.html#mpegts-1
 */
export const MPEGTS_AS_IS: readonly string[] = ['-mpegts_copyts', '1', '-f', 'mpegts'];

/** A keyframe a second: the fragment length of a streamed MP4 (frag_keyframe cuts at each). */
function keyframeEverySecond(o: ResolvedEncodeOptions): string[] {
  return ['-g', String(Math.max(1, Math.round(o.fps)))];
}

function webmArgs(o: Extract<ResolvedEncodeOptions, { format: 'webm' }>): string[] {
  return [
    ...frameInput(o),
    ...audioArgs(o, ['-c:a', 'libopus', '-b:a', '128k']),
    '-vf', yuv420pVideoFilter,
    // -b:v 0 turns -crf into constant quality instead of a bitrate cap.
    // https://trac.ffmpeg.org/wiki/Encode/VP9#constantq
    '-c:v', 'libvpx-vp9', '-crf', String(o.crf), '-b:v', '0',
    // realtime + cpu-used 8 is libvpx's fastest mode; row-mt lets it use more
    // than one thread per tile. https://developers.google.com/media/vp9/live-encoding
    '-deadline', o.deadline, '-cpu-used', String(o.cpuUsed), '-row-mt', '1',
    '-pix_fmt', 'yuv420p',
    ...bt709Tags,
    '-r', formatNumber(o.fps),
    ...threadArgs(o),
    '-f', muxerByFormat.webm, fileUrl(o.outPath),
  ];
}

function gifArgs(o: Extract<ResolvedEncodeOptions, { format: 'gif' }>): string[] {
  // One pass: split the scaled stream, build a palette from one copy and apply
  // it to the other. palettegen waits for the last frame, so every frame is
  // held in memory: fine for short previews. stats_mode=diff favours moving
  // parts; bayer dithering is deterministic and compresses better than error
  // diffusion; diff_mode=rectangle only re-dithers what changed.
  // https://ffmpeg.org/ffmpeg-filters.html#palettegen https://ffmpeg.org/ffmpeg-filters.html#paletteuse
  const graph = [
    `[0:v]fps=${formatNumber(o.gifFps)},scale=${o.gifWidth}:-1:flags=lanczos,split[g0][g1]`,
    '[g0]palettegen=stats_mode=diff[pal]',
    '[g1][pal]paletteuse=dither=bayer:bayer_scale=5:diff_mode=rectangle[gif]',
  ].join(';');
  return [
    ...frameInput(o),
    '-filter_complex', graph,
    '-map', '[gif]',
    // Loop forever, like every GIF preview in an email.
    '-loop', '0',
    ...threadArgs(o),
    '-f', muxerByFormat.gif, fileUrl(o.outPath),
  ];
}

/**
 * Builds the full ffmpeg argument list (without the program name) that reads
 * frames from stdin and writes an mp4, webm or gif to `outPath`. Pure: the same
 * options always give the same list. Throws AppError('INVALID_ARGUMENT').
 */
export function buildEncodeArgs(options: EncodeOptions): string[] {
  const o = resolveEncodeOptions(options);
  const specific = o.format === 'mp4' ? mp4Args(o) : o.format === 'webm' ? webmArgs(o) : gifArgs(o);
  // A fragmented MP4 (or a chunk's MPEG-TS) owns stdout: progress reports would be mixed into the video.
  const common = o.format === 'mp4' && (o.fragmented || o.toPipe) ? commonFfmpegFlags.filter((flag, i, all) => flag !== '-progress' && all[i - 1] !== '-progress') : commonFfmpegFlags;
  return [...common, ...specific];
}
