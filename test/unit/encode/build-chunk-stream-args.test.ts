import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/errors/index.js';
import {
  buildChunkStreamMuxArgs,
  buildChunkToStreamArgs,
  buildEncodeArgs,
  buildStreamedChunkRemuxArgs,
  CHUNK_TIMESCALE,
  type EncodeOptions,
} from '../../../src/encode/index.js';
import { valueAfter } from './args-helpers.js';

const mp4: EncodeOptions = { format: 'mp4', fps: 30, width: 1280, height: 720, inputCodec: 'mjpeg', outPath: '/out/chunk-0000.mp4', durationInFrames: 40 };

describe('streamed split render: chunk encodes', () => {
  it("take the streamed master's video settings (no B-frames, a keyframe a second) and keep every other setting of a chunk", () => {
    const chunk = buildEncodeArgs({ ...mp4, chunk: true, x264Params: { keyint: 60 } });
    const streamed = buildEncodeArgs({ ...mp4, fragmented: true, x264Params: { keyint: 60 } });
    const streamable = buildEncodeArgs({ ...mp4, chunk: true, streamable: true, x264Params: { keyint: 60 } });
    for (const flag of ['-c:v', '-preset', '-crf', '-profile:v', '-pix_fmt', '-vf', '-colorspace', '-r', '-g']) expect(valueAfter(streamable, flag), flag).toBe(valueAfter(streamed, flag));
    expect(valueAfter(streamable, '-x264-params')).toBe('keyint=60:bframes=0:open-gop=0');
    expect(streamable.slice(-5)).toEqual(chunk.slice(-5));
  });

  it('write the first chunk as MPEG-TS on stdout, without progress reports in it', () => {
    const first = buildEncodeArgs({ ...mp4, chunk: true, streamable: true, toPipe: true });
    expect(first.slice(-5)).toEqual(['-mpegts_copyts', '1', '-f', 'mpegts', 'pipe:1']);
    expect(first).not.toContain('-progress');
    expect(first).not.toContain('file:/out/chunk-0000.mp4');
  });

  it('are refused when streamable or toPipe is given outside a streamable chunk', () => {
    for (const extra of [{ streamable: true }, { chunk: true, toPipe: true }]) {
      let caught: unknown;
      try {
        buildEncodeArgs({ ...mp4, ...extra });
      } catch (err) {
        caught = err;
      }
      expect(isAppError(caught, 'INVALID_ARGUMENT'), JSON.stringify(extra)).toBe(true);
    }
  });
});

describe('streamed split render: the stream', () => {
  it('moves a stored chunk to its place on the clock, as MPEG-TS, by stream copy', () => {
    const args = buildChunkToStreamArgs({ inPath: '/w/chunk-1.mp4', startFrame: 75, fps: 30 });
    expect(valueAfter(args, '-i')).toBe('file:/w/chunk-1.mp4');
    expect(valueAfter(args, '-c:v')).toBe('copy');
    expect(valueAfter(args, '-output_ts_offset')).toBe('2.5');
    expect(args.slice(-5)).toEqual(['-mpegts_copyts', '1', '-f', 'mpegts', 'pipe:1']);
  });

  it('rewrites the first chunk, kept as MPEG-TS, as the chunk MP4 every chunk is', () => {
    const args = buildStreamedChunkRemuxArgs('/w/c0.ts', '/w/c0.mp4');
    expect(valueAfter(args, '-c:v')).toBe('copy');
    expect(valueAfter(args, '-video_track_timescale')).toBe(String(CHUNK_TIMESCALE));
    expect(args.slice(-3)).toEqual(['-f', 'mp4', 'file:/w/c0.mp4']);
  });

  it('muxes the chunks from stdin with the soundtrack encoded once, as a fragmented MP4 on stdout that starts with the first packet', () => {
    const args = buildChunkStreamMuxArgs({ tracks: [{ path: '/b/music.m4a', fromFrame: 0, volume: 0.8 }], fps: 30, durationInFrames: 240 });
    expect(args.slice(args.indexOf('-f'), args.indexOf('pipe:0') + 1)).toEqual(['-f', 'mpegts', '-probesize', '32', '-analyzeduration', '0', '-i', 'pipe:0']);
    expect(valueAfter(args, '-c:v')).toBe('copy');
    expect(valueAfter(args, '-c:a')).toBe('aac');
    // The AAC priming is cut, as in an unsplit streamed master (a fragmented MP4 has no edit list to hide it).
    expect(valueAfter(args, '-filter_complex')).toMatch(/atrim=start_sample=1024/);
    expect(valueAfter(args, '-movflags')).toBe('+frag_keyframe+empty_moov+default_base_moof');
    expect(args.at(-1)).toBe('pipe:1');
    const silent = buildChunkStreamMuxArgs({ tracks: [], fps: 30, durationInFrames: 240 });
    expect(silent).not.toContain('-c:a');
    expect(valueAfter(silent, '-map')).toBe('0:v');
  });
});
