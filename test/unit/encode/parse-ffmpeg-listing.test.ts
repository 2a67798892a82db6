import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCodecList, parseFilterList, parseHwaccelList, summarizeFfmpegError } from '../../../src/encode/parse-ffmpeg-listing.js';

const fixtures = path.resolve(import.meta.dirname, '../../fixtures/ffmpeg');
const read = (name: string): string => readFileSync(path.join(fixtures, name), 'utf8');

describe('ffmpeg listings (recorded from Debian 12 ffmpeg 5.1)', () => {
  it('reads encoder names below the legend only', () => {
    const encoders = parseCodecList(read('debian-bookworm/encoders.txt'));
    for (const name of ['libx264', 'h264_nvenc', 'hevc_nvenc', 'h264_vaapi', 'hevc_vaapi', 'h264_qsv', 'libvpx-vp9', 'gif', 'aac']) {
      expect(encoders.has(name), name).toBe(true);
    }
    // The legend (` V..... = Video`) uses the same flag column.
    expect(encoders.has('=')).toBe(false);
    expect(encoders.size).toBe(22);
  });

  it('reads hwaccel methods without the title line', () => {
    expect([...parseHwaccelList(read('debian-bookworm/hwaccels.txt'))]).toEqual(['vdpau', 'cuda', 'vaapi', 'qsv', 'drm', 'opencl', 'vulkan']);
  });

  it('reads filter names, sources included, legend excluded', () => {
    const filters = parseFilterList(read('debian-bookworm/filters.txt'));
    for (const name of ['scale_cuda', 'scale_vaapi', 'hwdownload', 'hwupload', 'overlay_cuda', 'palettegen', 'color', 'scale2ref']) {
      expect(filters.has(name), name).toBe(true);
    }
    expect(filters.has('T..')).toBe(false);
    expect(filters.has('A')).toBe(false);
    expect(filters.has('=')).toBe(false);
  });

  it('finds nothing in unrelated output', () => {
    expect(parseCodecList('ffmpeg: unrecognized option').size).toBe(0);
    expect(parseFilterList('').size).toBe(0);
  });
});

describe('summarizeFfmpegError', () => {
  it.each([
    ['nvenc-no-driver', 'Cannot load libcuda.so.1'],
    ['nvdec-no-driver', 'Cannot load libcuda.so.1; Could not dynamically load CUDA'],
    ['vaapi-no-display', 'No VA display found for device /dev/dri/renderD128.; Device creation failed: -22.'],
    ['qsv-no-device', 'Error initializing an internal MFX session: unsupported (-3)'],
    ['nvenc-unsupported-device', 'OpenEncodeSessionEx failed: unsupported device (2): (no details); No capable devices found'],
    [
      'nvenc-old-driver',
      'Driver does not support the required nvenc API version. Required: 12.1 Found: 12.0; The minimum required Nvidia driver for nvenc is 530.41.03 or newer',
    ],
  ])('names the cause in %s, not the generic trailer', (name, expected) => {
    expect(summarizeFfmpegError(read(`probe/${name}.stderr.txt`), 500)).toBe(expected);
  });

  it('falls back to the last line when every line is generic, and clips long text', () => {
    expect(summarizeFfmpegError('Conversion failed!\n')).toBe('Conversion failed!');
    expect(summarizeFfmpegError('')).toBe('no error output');
    const long = summarizeFfmpegError(`[x @ 0x1] ${'a'.repeat(300)}`, 50);
    expect(long).toHaveLength(50);
    expect(long.endsWith('…')).toBe(true);
  });
});
