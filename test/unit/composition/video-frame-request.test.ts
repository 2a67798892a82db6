import { describe, expect, it } from 'vitest';
import {
  buildVideoFrameUrl,
  parseVideoFrameUrl,
  sourceFrameIndex,
  videoSourcePosition,
  videoVisibleFrames,
  VIDEO_FRAME_ORIGIN,
  type VideoFrameRequest,
} from '../../../src/composition/index.js';

const timing = { startFrom: 0, playbackRate: 1, loop: false };

describe('videoVisibleFrames (Remotion: endAt wraps the video in a Sequence)', () => {
  it('is unbounded without endAt or with loop', () => {
    expect(videoVisibleFrames(timing)).toBe(Infinity);
    expect(videoVisibleFrames({ ...timing, endAt: 30, loop: true })).toBe(Infinity);
  });

  it('lasts (endAt - startFrom) / playbackRate frames, rounded up', () => {
    expect(videoVisibleFrames({ ...timing, endAt: 30 })).toBe(30);
    expect(videoVisibleFrames({ ...timing, startFrom: 10, endAt: 70, playbackRate: 1.5 })).toBe(40);
    expect(videoVisibleFrames({ ...timing, startFrom: 10, endAt: 71, playbackRate: 1.5 })).toBe(41);
    // 0.1 * 3 is 0.30000000000000004: still exactly 100 frames.
    expect(videoVisibleFrames({ ...timing, endAt: 30, playbackRate: 0.3 })).toBe(100);
  });
});

describe('videoSourcePosition', () => {
  it('starts at startFrom and advances by playbackRate', () => {
    expect(videoSourcePosition(timing, 7)).toBe(7);
    expect(videoSourcePosition({ ...timing, startFrom: 10, playbackRate: 1.5 }, 4)).toBe(16);
    expect(videoSourcePosition({ ...timing, playbackRate: 0.5 }, 5)).toBe(2.5);
  });

  it('wraps [startFrom, endAt) when looping', () => {
    const loop = { startFrom: 20, endAt: 44, playbackRate: 1, loop: true };
    expect([0, 23, 24, 25, 48, 59].map((f) => videoSourcePosition(loop, f))).toEqual([20, 43, 20, 21, 20, 31]);
    expect(videoSourcePosition({ ...loop, playbackRate: 2 }, 12)).toBe(20);
  });

  it('loops the whole source without endAt, given its length', () => {
    const loop = { startFrom: 0, playbackRate: 1, loop: true };
    expect(videoSourcePosition(loop, 95, 90)).toBe(5);
    expect(() => videoSourcePosition(loop, 95)).toThrow(/source length/);
  });
});

describe('sourceFrameIndex', () => {
  it('picks the frame on screen at that instant', () => {
    expect(sourceFrameIndex(7, 30, 30, 90)).toBe(7);
    // 25 fps source in a 30 fps composition: frame 6 of the composition is 0.2 s, source frame 5.
    expect(sourceFrameIndex(6, 30, 25, 75)).toBe(5);
    expect(sourceFrameIndex(5, 30, 25, 75)).toBe(4);
    // 60 fps source: every other frame.
    expect(sourceFrameIndex(3, 30, 60, 180)).toBe(6);
  });

  it('clamps to the last frame', () => {
    expect(sourceFrameIndex(120, 30, 30, 90)).toBe(89);
    expect(sourceFrameIndex(0, 30, 30, 90)).toBe(0);
  });
});

describe('frame URLs', () => {
  const request: VideoFrameRequest = {
    src: 'http://bundle.mastercut.invalid/t/v/static/clip.mp4',
    frame: 12,
    fps: 30,
    startFrom: 10,
    endAt: 40,
    playbackRate: 1.5,
    loop: true,
    format: 'jpeg',
  };

  it('round-trip', () => {
    const url = buildVideoFrameUrl(request);
    expect(url.startsWith(`${VIDEO_FRAME_ORIGIN}/frame?`)).toBe(true);
    expect(parseVideoFrameUrl(url)).toEqual(request);
    const { endAt: _e, ...open } = request;
    expect(parseVideoFrameUrl(buildVideoFrameUrl({ ...open, loop: false, format: 'png' }))).toEqual({ ...open, loop: false, format: 'png' });
  });

  it('refuses malformed requests', () => {
    const url = new URL(buildVideoFrameUrl(request));
    const variant = (name: string, value: string | null) => {
      const copy = new URL(url);
      if (value === null) copy.searchParams.delete(name);
      else copy.searchParams.set(name, value);
      return copy.href;
    };
    expect(() => parseVideoFrameUrl('http://elsewhere.invalid/frame?src=x')).toThrow(RangeError);
    expect(() => parseVideoFrameUrl(variant('src', null))).toThrow(/src/);
    expect(() => parseVideoFrameUrl(variant('frame', '-1'))).toThrow(/frame/);
    expect(() => parseVideoFrameUrl(variant('frame', '1.5'))).toThrow(/frame/);
    expect(() => parseVideoFrameUrl(variant('fps', '0'))).toThrow(/fps/);
    expect(() => parseVideoFrameUrl(variant('format', 'gif'))).toThrow(/format/);
    expect(() => parseVideoFrameUrl(variant('rate', '0'))).toThrow(/playbackRate/);
    expect(() => parseVideoFrameUrl(variant('to', '5'))).toThrow(/endAt/);
    expect(() => parseVideoFrameUrl(variant('from', 'abc'))).toThrow(/from/);
  });
});
