import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/errors/index.js';
import { buildEncodeArgs, resolveEncodeOptions, type EncodeOptions } from '../../../src/encode/index.js';
import { valueAfter, valuesAfter } from './args-helpers.js';

const base = { fps: 30, width: 1280, height: 720, inputCodec: 'mjpeg', outPath: '/out/.a.mp4.1.partial', durationInFrames: 90 } as const;
const mp4: EncodeOptions = { ...base, format: 'mp4' };

function expectInvalid(fn: () => unknown, text: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(isAppError(caught, 'INVALID_ARGUMENT')).toBe(true);
  expect((caught as Error).message).toContain(text);
}

describe('buildEncodeArgs: common flags', () => {
  it.each(['mp4', 'webm', 'gif'] as const)('%s reads frames from stdin with explicit muxer and progress', (format) => {
    const args = buildEncodeArgs({ ...base, format });
    expect(args.slice(0, 7)).toEqual(['-hide_banner', '-loglevel', 'error', '-nostats', '-progress', 'pipe:1', '-y']);
    expect(args).not.toContain('-nostdin');
    // The frame pipe is input 0, declared before any other input.
    const firstInput = args.indexOf('-i');
    expect(args.slice(firstInput - 10, firstInput + 2)).toEqual([
      '-f', 'image2pipe', '-probesize', '32', '-analyzeduration', '0', '-c:v', 'mjpeg', '-framerate', '30', '-i', 'pipe:0',
    ]);
    // The output is last, with an explicit muxer right before it.
    expect(args.slice(-3)).toEqual(['-f', format, `file:${base.outPath}`]);
  });

  it('passes the png input codec and fractional frame rates', () => {
    const args = buildEncodeArgs({ ...mp4, inputCodec: 'png', fps: 29.97 });
    expect(valuesAfter(args, '-c:v')).toContain('png');
    expect(valueAfter(args, '-framerate')).toBe('29.97');
    expect(valueAfter(args, '-r')).toBe('29.97');
  });

  it('is pure: same options, same list', () => {
    expect(buildEncodeArgs(mp4)).toEqual(buildEncodeArgs({ ...mp4 }));
  });
});

describe('buildEncodeArgs: mp4', () => {
  it('uses x264 defaults: crf 20, veryfast, high profile, yuv420p, faststart, no audio', () => {
    const args = buildEncodeArgs(mp4);
    expect(valuesAfter(args, '-c:v')).toEqual(['mjpeg', 'libx264']);
    expect(valueAfter(args, '-crf')).toBe('20');
    expect(valueAfter(args, '-preset')).toBe('veryfast');
    expect(valueAfter(args, '-profile:v')).toBe('high');
    expect(valueAfter(args, '-pix_fmt')).toBe('yuv420p');
    expect(valueAfter(args, '-movflags')).toBe('+faststart');
    expect(valueAfter(args, '-r')).toBe('30');
    expect(valueAfter(args, '-colorspace')).toBe('bt709');
    expect(valueAfter(args, '-color_primaries')).toBe('bt709');
    expect(valueAfter(args, '-color_trc')).toBe('bt709');
    expect(valueAfter(args, '-color_range')).toBe('tv');
    // Exact limited-range BT.709 from a full-range BT.601 JPEG (see test/integration/encode/exact-colour.test.ts).
    expect(valueAfter(args, '-vf')).toBe('zscale=matrixin=470bg:rangein=full:matrix=709:range=limited,format=yuv420p');
    expect(args).not.toContain('-c:a');
    expect(args).not.toContain('-filter_complex');
    expect(args.filter((a) => a === '-i')).toHaveLength(1);
    expect(args).not.toContain('-threads');
    expect(args).not.toContain('-x264-params');
  });

  it('honours crf, preset, threads and x264 params', () => {
    const args = buildEncodeArgs({ ...mp4, crf: 28, preset: 'ultrafast', threads: 2, x264Params: { keyint: 60, 'scenecut': 0 } });
    expect(valueAfter(args, '-crf')).toBe('28');
    expect(valueAfter(args, '-preset')).toBe('ultrafast');
    expect(valueAfter(args, '-threads')).toBe('2');
    expect(valueAfter(args, '-x264-params')).toBe('keyint=60:scenecut=0');
  });

  it('writes a fragmented MP4 to stdout without B-frames and with its sound started one AAC priming later', () => {
    const track = { path: '/music.m4a', fromFrame: 0, volume: 1 };
    const args = buildEncodeArgs({ ...mp4, fragmented: true, audioTracks: [track], x264Params: { bframes: 3, keyint: 60 } });
    expect(args.slice(-5)).toEqual(['-movflags', '+frag_keyframe+empty_moov+default_base_moof', '-f', 'mp4', 'pipe:1']);
    // No edit list in a fragmented MP4: B-frames (even asked for) would start the video 2 frames after the audio.
    expect(valueAfter(args, '-x264-params')).toBe('bframes=0:keyint=60');
    expect(valueAfter(args, '-filter_complex')).toMatch(/,atrim=start_sample=1024,asetpts=PTS-STARTPTS\+1024\/SR\/TB\[aout\]$/);
    expect(args).not.toContain('-progress');
    // A normal MP4 keeps its B-frames and its whole mix: its edit lists hide the delay and the priming.
    const plain = buildEncodeArgs({ ...mp4, audioTracks: [track] });
    expect(plain).not.toContain('-x264-params');
    expect(valueAfter(plain, '-filter_complex')).not.toContain('start_sample');
  });

  it('rejects odd sizes and crf above 51', () => {
    expectInvalid(() => buildEncodeArgs({ ...mp4, width: 641 }), 'even width and height');
    expectInvalid(() => buildEncodeArgs({ ...mp4, crf: 55 }), 'crf must be between 0 and 51');
  });

  it('lists every schema problem at once', () => {
    expectInvalid(() => buildEncodeArgs({ ...mp4, fps: -1, durationInFrames: 0 }), 'fps');
    expectInvalid(() => buildEncodeArgs({ ...mp4, fps: -1, durationInFrames: 0 }), 'durationInFrames');
  });

  it('adds each audio track as an input, mixes them and encodes AAC 128k', () => {
    const args = buildEncodeArgs({
      ...mp4,
      audioTracks: [
        { path: '/a/music.mp3', fromFrame: 0, volume: 0.5 },
        { path: '/a/voice.wav', fromFrame: 45, durationInFrames: 30, volume: 1 },
      ],
    });
    expect(valuesAfter(args, '-i')).toEqual(['pipe:0', '/a/music.mp3', '/a/voice.wav']);
    const graph = valueAfter(args, '-filter_complex') ?? '';
    expect(graph).toContain('[1:a]');
    expect(graph).toContain('[2:a]');
    expect(graph).toContain('amix=inputs=2');
    expect(graph).toContain('normalize=0');
    // 90 frames at 30 fps: exactly 3 s of audio.
    expect(graph).toMatch(/apad=whole_dur=3,atrim=end=3\[aout\]$/);
    expect(valuesAfter(args, '-map')).toEqual(['0:v', '[aout]']);
    expect(valueAfter(args, '-c:a')).toBe('aac');
    expect(valueAfter(args, '-b:a')).toBe('128k');
  });

  it('drops tracks that are not audible inside the video; none left means no audio stream', () => {
    const args = buildEncodeArgs({
      ...mp4,
      audioTracks: [
        { path: '/late.wav', fromFrame: 90, volume: 1 },
        { path: '/early.wav', fromFrame: -40, durationInFrames: 30, volume: 1 },
        { path: '/muted.wav', fromFrame: 0, volume: 0 },
      ],
    });
    expect(args).not.toContain('-c:a');
    expect(valuesAfter(args, '-i')).toEqual(['pipe:0']);
  });
});

describe('buildEncodeArgs: webm', () => {
  it('uses VP9 constant quality with fast realtime settings', () => {
    const args = buildEncodeArgs({ ...base, format: 'webm' });
    expect(valuesAfter(args, '-c:v')).toEqual(['mjpeg', 'libvpx-vp9']);
    expect(valueAfter(args, '-crf')).toBe('32');
    expect(valueAfter(args, '-b:v')).toBe('0');
    expect(valueAfter(args, '-deadline')).toBe('realtime');
    expect(valueAfter(args, '-cpu-used')).toBe('8');
    expect(valueAfter(args, '-pix_fmt')).toBe('yuv420p');
    expect(args).not.toContain('-movflags');
    expect(args).not.toContain('-c:a');
  });

  it('encodes audio tracks as Opus', () => {
    const args = buildEncodeArgs({ ...base, format: 'webm', crf: 40, audioTracks: [{ path: '/s.wav', fromFrame: 3, volume: 1 }] });
    expect(valueAfter(args, '-crf')).toBe('40');
    expect(valueAfter(args, '-c:a')).toBe('libopus');
    expect(valueAfter(args, '-filter_complex')).not.toContain('amix');
  });
});

describe('buildEncodeArgs: gif', () => {
  it('defaults to 15 fps, 480 px wide, palette built and applied in one pass', () => {
    const args = buildEncodeArgs({ ...base, format: 'gif' });
    const graph = valueAfter(args, '-filter_complex') ?? '';
    expect(graph).toContain('fps=15,scale=480:-1:flags=lanczos,split[g0][g1]');
    expect(graph).toContain('palettegen=stats_mode=diff');
    expect(graph).toMatch(/paletteuse=dither=bayer/);
    expect(valueAfter(args, '-map')).toBe('[gif]');
    expect(valueAfter(args, '-loop')).toBe('0');
    expect(args).not.toContain('-c:a');
    expect(args).not.toContain('libx264');
  });

  it('never upscales nor raises the frame rate, and ignores audio', () => {
    const args = buildEncodeArgs({
      ...base,
      format: 'gif',
      fps: 10,
      width: 321,
      gif: { fps: 24, width: 1000 },
      audioTracks: [{ path: '/s.wav', fromFrame: 0, volume: 1 }],
    });
    expect(valueAfter(args, '-filter_complex')).toContain('fps=10,scale=321:-1');
    expect(valuesAfter(args, '-i')).toEqual(['pipe:0']);
  });
});

describe('resolveEncodeOptions', () => {
  it('fills every default once', () => {
    const r = resolveEncodeOptions({ ...base, format: 'mp4' });
    expect(r).toMatchObject({ format: 'mp4', crf: 20, preset: 'veryfast', threads: null, audioTracks: [], x264Params: {}, durationSec: 3 });
    const w = resolveEncodeOptions({ ...base, format: 'webm' });
    expect(w).toMatchObject({ format: 'webm', crf: 32, deadline: 'realtime', cpuUsed: 8 });
    const g = resolveEncodeOptions({ ...base, format: 'gif', gif: { width: 320 } });
    expect(g).toMatchObject({ format: 'gif', gifFps: 15, gifWidth: 320 });
  });

  it('defaults a track volume to 1', () => {
    const r = resolveEncodeOptions({ ...base, format: 'mp4', audioTracks: [{ path: '/a.wav', fromFrame: 0 }] });
    expect(r.audioTracks[0]?.volume).toBe(1);
  });
});
