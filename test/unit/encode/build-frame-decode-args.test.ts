import { describe, expect, it } from 'vitest';
import { buildFrameDecodeArgs } from '../../../src/encode/index.js';

const base = { input: '/m/clip.mp4', firstFrame: 0, frames: 60, fps: 30, streamOffsetSec: 0, format: 'jpeg' as const, quality: 90 };

describe('buildFrameDecodeArgs', () => {
  it('decodes from the start without a seek, every frame once, as full-range JPEG on stdout', () => {
    expect(buildFrameDecodeArgs(base)).toEqual([
      '-hide_banner', '-loglevel', 'error', '-nostdin',
      '-i', 'file:/m/clip.mp4',
      '-map', '0:v:0', '-an', '-sn', '-dn',
      '-frames:v', '60',
      '-fps_mode', 'passthrough',
      '-vf', 'scale=out_color_matrix=bt601:out_range=full,format=yuvj420p', '-c:v', 'mjpeg', '-q:v', '5',
      '-f', 'image2pipe', 'pipe:1',
    ]);
  });

  it('seeks half a frame before the first wanted frame, after the stream offset', () => {
    const args = buildFrameDecodeArgs({ ...base, firstFrame: 30, fps: 25, streamOffsetSec: 0.1 });
    // 0.1 + 29.5 / 25 = 1.28
    expect(args.slice(args.indexOf('-ss'), args.indexOf('-ss') + 4)).toEqual(['-ss', '1.28', '-i', 'file:/m/clip.mp4']);
  });

  it('writes RGBA PNG, with a libvpx decoder for alpha', () => {
    const args = buildFrameDecodeArgs({ ...base, format: 'png', decoder: 'libvpx-vp9' });
    expect(args.slice(4, 6)).toEqual(['-c:v', 'libvpx-vp9']);
    expect(args).toContain('format=rgba');
    expect(args.join(' ')).toContain('-c:v png');
  });

  it('refuses an empty or negative range', () => {
    expect(() => buildFrameDecodeArgs({ ...base, frames: 0 })).toThrow(RangeError);
    expect(() => buildFrameDecodeArgs({ ...base, firstFrame: -1 })).toThrow(RangeError);
  });
});
