import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/errors/index.js';
import { buildConcatArgs, buildConcatList, buildEncodeArgs, CHUNK_TIMESCALE, type EncodeOptions } from '../../../src/encode/index.js';
import { valueAfter } from './args-helpers.js';

const mp4: EncodeOptions = { format: 'mp4', fps: 30, width: 1280, height: 720, inputCodec: 'mjpeg', outPath: '/out/chunk-0001.mp4', durationInFrames: 40 };

describe('split render: chunk encodes', () => {
  it("keep the master's encoder settings, open on a closed GOP, share one timebase and carry no sound", () => {
    const master = buildEncodeArgs({ ...mp4, x264Params: { keyint: 60 } });
    const chunk = buildEncodeArgs({ ...mp4, chunk: true, x264Params: { keyint: 60 } });
    for (const flag of ['-c:v', '-preset', '-crf', '-profile:v', '-pix_fmt', '-vf', '-colorspace', '-r']) expect(valueAfter(chunk, flag), flag).toBe(valueAfter(master, flag));
    expect(valueAfter(chunk, '-x264-params')).toBe('keyint=60:open-gop=0');
    expect(valueAfter(chunk, '-video_track_timescale')).toBe(String(CHUNK_TIMESCALE));
    expect(chunk).not.toContain('-movflags');
    expect(chunk.slice(-3)).toEqual(['-f', 'mp4', 'file:/out/chunk-0001.mp4']);
    // Whole ticks per frame at the usual rates: seams land exactly.
    for (const fps of [24, 25, 30, 50, 60]) expect(CHUNK_TIMESCALE % fps).toBe(0);
  });

  it('are refused with sound or streamed', () => {
    for (const extra of [{ audioTracks: [{ path: '/m.m4a', fromFrame: 0, volume: 1 }] }, { fragmented: true }]) {
      let caught: unknown;
      try {
        buildEncodeArgs({ ...mp4, chunk: true, ...extra });
      } catch (err) {
        caught = err;
      }
      expect(isAppError(caught, 'INVALID_ARGUMENT')).toBe(true);
    }
  });
});

describe('split render: the join', () => {
  it('lists every chunk with its exact duration, quoting paths', () => {
    const list = buildConcatList([{ path: '/tmp/a/chunk-0000.mp4', frames: 40 }, { path: "/tmp/it's/chunk-0001.mp4", frames: 41 }], 30);
    expect(list).toBe("ffconcat version 1.0\nfile '/tmp/a/chunk-0000.mp4'\nduration 1.333333\nfile '/tmp/it'\\''s/chunk-0001.mp4'\nduration 1.366667\n");
  });

  it('copies the video and encodes the soundtrack once over the whole duration', () => {
    const args = buildConcatArgs({ listPath: '/tmp/c/list', tracks: [{ path: '/music.m4a', fromFrame: 0, volume: 0.8 }], fps: 30, durationInFrames: 240, outPath: '/out/a.mp4' });
    expect(args.slice(args.indexOf('-f'), args.indexOf('-f') + 6)).toEqual(['-f', 'concat', '-safe', '0', '-i', 'file:/tmp/c/list']);
    expect(valueAfter(args, '-c:v')).toBe('copy');
    expect(valueAfter(args, '-c:a')).toBe('aac');
    expect(args).toContain('file:/music.m4a');
    // Padded or cut to the video's 8 s.
    expect(valueAfter(args, '-filter_complex')).toContain('8');
    expect(args.slice(-5)).toEqual(['-movflags', '+faststart', '-f', 'mp4', 'file:/out/a.mp4']);
    const silent = buildConcatArgs({ listPath: '/l', tracks: [], fps: 30, durationInFrames: 240, outPath: '/o.mp4' });
    expect(valueAfter(silent, '-map')).toBe('0:v');
    expect(silent).not.toContain('-c:a');
  });
});
