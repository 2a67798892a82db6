import { isAbsolute, join } from 'node:path';
import { AppError } from '../errors/index.js';
import { fileUrl } from './build-encode-args.js';
import type { HlsSpec } from './channel-profile.schema.js';
import { planFrames, scaleChain, sinkForEncoder, systemFormatFor } from './frame-pipeline.js';
import { transcodeFlags, type TranscodeArgsInput } from './transcode-args-input.js';

/** ABR ladders encode every rung at once: veryfast keeps three rungs near real time on two cores. */
export const X264_LADDER_PRESET = 'veryfast';
/** Each rung's playlist, inside its folder. */
export const HLS_RUNG_PLAYLIST = 'index.m3u8';

/** Folder names of the rungs, by their short side (`360p`), made unique with the rung index when two share it. */
export function hlsRungNames(spec: Pick<HlsSpec, 'rungs'>): string[] {
  const names = spec.rungs.map((r) => `${Math.min(r.width, r.height)}p`);
  return names.map((n, i) => (names.indexOf(n) === names.lastIndexOf(n) ? n : `${n}-${i}`));
}

function encoderArgs(encoder: string): string[] {
  switch (encoder) {
    case 'libx264':
      // No scene-cut keyframes: they would start segments off the grid.
      return ['-c:v', 'libx264', '-preset', X264_LADDER_PRESET, '-profile:v', 'high', '-sc_threshold', '0'];
    case 'h264_nvenc':
      // forced-idr: forced keyframes must be IDR for segments to be independent.
      return ['-c:v', 'h264_nvenc', '-preset', 'p4', '-tune', 'hq', '-rc', 'vbr', '-profile:v', 'high', '-forced-idr', '1', '-no-scenecut', '1'];
    case 'h264_vaapi':
      return ['-c:v', 'h264_vaapi', '-rc_mode', 'VBR', '-profile:v', 'high'];
    default:
      return ['-c:v', encoder, '-preset', 'medium'];
  }
}

/**
 * Builds the one ffmpeg run that writes a whole HLS ladder: the master is
 * decoded once, split, scaled per rung (on the GPU per caps), encoded per rung
 * with its bitrate, and muxed as fMP4 segments in one folder per rung
 * (`<rung>/init_<i>.mp4`, `<rung>/seg-NNN.m4s`, `<rung>/index.m3u8`) plus the
 * master playlist `<outDir>/<spec.name>`. Keyframes fall on every segment
 * boundary so each rung can switch there.
 * https://ffmpeg.org/ffmpeg-formats.html#hls-2
 *
 * `outDir` must be absolute and free of `%` (the muxer's rung/segment pattern
 * character). Paths are given without the `file:` prefix: the HLS muxer
 * creates rung folders with the prefix taken literally, as a relative folder
 * named `file:`. An absolute path never parses as a protocol.
 */
export function buildHlsArgs(o: TranscodeArgsInput<HlsSpec>): string[] {
  const { spec, master } = o;
  if (!isAbsolute(o.outDir) || o.outDir.includes('%')) {
    throw new AppError('INVALID_ARGUMENT', `HLS output folder must be absolute and contain no '%': ${o.outDir}`, { details: { outDir: o.outDir } });
  }
  const encoder = o.caps.h264;
  const sink = sinkForEncoder(encoder);
  const frames = planFrames(o.caps, sink);
  const systemFormat = systemFormatFor(encoder, frames.decode);
  const n = spec.rungs.length;
  const graph = [
    `[0:v]split=${n}${spec.rungs.map((_, i) => `[s${i}]`).join('')}`,
    ...spec.rungs.map((r, i) => `[s${i}]${scaleChain(frames.decode, sink, { width: r.width, height: r.height, systemFormat })}[v${i}]`),
  ].join(';');
  const gop = Math.max(1, Math.round(master.fps * spec.segmentSeconds));
  const perRung = spec.rungs.flatMap((r, i) => [
    `-b:v:${i}`, `${r.videoBitrateK}k`,
    // 10% headroom over the average, two seconds of buffer: the peak a player sees for this rung.
    `-maxrate:v:${i}`, `${Math.round(r.videoBitrateK * 1.1)}k`,
    `-bufsize:v:${i}`, `${r.videoBitrateK * 2}k`,
  ]);
  const names = hlsRungNames(spec);
  const streamMap = names.map((name, i) => (master.hasAudio ? `v:${i},a:${i},name:${name}` : `v:${i},name:${name}`)).join(' ');
  return [
    ...transcodeFlags,
    ...frames.inputArgs,
    '-i', fileUrl(o.input),
    '-filter_complex', graph,
    ...spec.rungs.flatMap((_, i) => ['-map', `[v${i}]`]),
    // Each rung carries its own copy of the audio, so a player needs one playlist per rung.
    ...(master.hasAudio ? spec.rungs.flatMap(() => ['-map', '0:a:0']) : []),
    ...encoderArgs(encoder),
    ...perRung,
    '-g', String(gop), '-keyint_min', String(gop),
    '-force_key_frames', `expr:gte(t,n_forced*${spec.segmentSeconds})`,
    ...(master.hasAudio ? ['-c:a', 'aac', '-b:a', `${spec.audioBitrateK}k`] : []),
    '-f', 'hls',
    '-hls_time', String(spec.segmentSeconds),
    '-hls_playlist_type', 'vod',
    '-hls_segment_type', 'fmp4',
    '-hls_flags', 'independent_segments',
    '-hls_fmp4_init_filename', 'init.mp4',
    '-hls_segment_filename', join(o.outDir, '%v', 'seg-%03d.m4s'),
    '-master_pl_name', spec.name,
    '-var_stream_map', streamMap,
    join(o.outDir, '%v', HLS_RUNG_PLAYLIST),
  ];
}
