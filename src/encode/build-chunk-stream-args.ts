import { buildAudioMixFilter, formatNumber } from './build-audio-mix-filter.js';
import { AAC_PRIMING_SAMPLES, CHUNK_TIMESCALE, MPEGTS_AS_IS, fileUrl, muxerByFormat } from './build-encode-args.js';
import type { AudioTrack } from './encode-options.schema.js';

/**
 * A stored chunk of a streamed split (video only, MP4) as MPEG-TS on stdout,
 * its timestamps moved to where the chunk sits in the whole video
 * (`startFrame / fps`): appended to the stream muxer's input after the
 * chunks before it, its frames continue their clock. Stream copy: nothing
 * is encoded again. https://ffmpeg.org/ffmpeg.html#Main-options (-output_ts_offset)
 */
export function buildChunkToStreamArgs(options: { inPath: string; startFrame: number; fps: number }): string[] {
  return [
    '-hide_banner', '-loglevel', 'error', '-nostdin',
    '-i', fileUrl(options.inPath),
    '-map', '0:v', '-c:v', 'copy',
    '-output_ts_offset', formatNumber(options.startFrame / options.fps),
    ...MPEGTS_AS_IS, 'pipe:1',
  ];
}

/**
 * The first chunk of a streamed split, received as MPEG-TS while it was
 * encoded, rewritten as the MP4 every other chunk is (the chunk timescale,
 * stream copy): the join and a resumed master read it like any chunk.
 */
export function buildStreamedChunkRemuxArgs(inPath: string, outPath: string): string[] {
  return [
    '-hide_banner', '-loglevel', 'error', '-nostdin', '-y',
    '-f', 'mpegts', '-i', fileUrl(inPath),
    '-map', '0:v', '-c:v', 'copy',
    '-video_track_timescale', String(CHUNK_TIMESCALE),
    '-f', muxerByFormat.mp4, fileUrl(outPath),
  ];
}

export interface ChunkStreamMuxOptions {
  /** The soundtrack, mixed and encoded once over the whole stream (none: a silent stream). */
  tracks: readonly AudioTrack[];
  fps: number;
  /** The whole video's length: the soundtrack is cut to it. */
  durationInFrames: number;
}

/**
 * The stream of a split master that streams: the chunks' video arrives on
 * stdin as concatenated MPEG-TS (the first chunk as it is encoded, the
 * others as they are done, in order), is copied, and leaves on stdout as one
 * fragmented MP4 with the soundtrack encoded once, as an unsplit streamed
 * master's is (its AAC priming cut, buildEncodeArgs' AAC_PRIMING_SAMPLES).
 * The probe limits let the header out with the first packet, not after
 * ~5 MB of input (which would be the whole first chunk).
 */
export function buildChunkStreamMuxArgs(options: ChunkStreamMuxOptions): string[] {
  const audio =
    options.tracks.length === 0
      ? ['-map', '0:v']
      : (() => {
          const mix = buildAudioMixFilter({
            tracks: options.tracks,
            fps: options.fps,
            durationSec: options.durationInFrames / options.fps,
            firstInputIndex: 1,
            trimStartSamples: AAC_PRIMING_SAMPLES,
          });
          return [...options.tracks.flatMap((track) => ['-i', fileUrl(track.path)]), '-filter_complex', mix.filter, '-map', '0:v', '-map', mix.outputLabel, '-c:a', 'aac', '-b:a', '128k'];
        })();
  return [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'mpegts', '-probesize', '32', '-analyzeduration', '0', '-i', 'pipe:0',
    ...audio,
    '-c:v', 'copy',
    '-movflags', '+frag_keyframe+empty_moov+default_base_moof', '-f', muxerByFormat.mp4, 'pipe:1',
  ];
}
