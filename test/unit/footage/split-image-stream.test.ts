import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ImageStreamSplitter, jpegLength, pngLength } from '../../../src/footage/index.js';

/** Three frames of a test source as one image2pipe stream, like the decoder's stdout. */
function stream(codec: 'mjpeg' | 'png'): Buffer {
  return execFileSync('ffmpeg', [
    '-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=s=96x54:r=10:d=0.3',
    ...(codec === 'mjpeg' ? ['-pix_fmt', 'yuvj420p'] : []),
    '-c:v', codec, '-f', 'image2pipe', 'pipe:1',
  ], { maxBuffer: 16 * 1024 * 1024 });
}

/** Feeds a stream in chunks of varying sizes, as a pipe would deliver it. */
function split(format: 'jpeg' | 'png', bytes: Buffer, sizes: number[]): Buffer[] {
  const splitter = new ImageStreamSplitter(format);
  const images: Buffer[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length]!;
    images.push(...splitter.push(bytes.subarray(at, at + size)));
    at += size;
  }
  expect(splitter.leftover).toBe(0);
  return images;
}

describe('ImageStreamSplitter', () => {
  it.each([
    ['jpeg', 'mjpeg'],
    ['png', 'png'],
  ] as const)('splits a %s stream into its images, whatever the chunking', (format, codec) => {
    const bytes = stream(codec);
    const whole = split(format, bytes, [bytes.length]);
    expect(whole).toHaveLength(3);
    expect(Buffer.concat(whole).equals(bytes)).toBe(true);
    for (const sizes of [[1], [7, 3000], [65536]]) {
      expect(split(format, bytes, sizes).map((b) => b.toString('hex'))).toEqual(whole.map((b) => b.toString('hex')));
    }
  });

  it('does not take FF D9 inside a marker segment for the end of a JPEG', () => {
    const jpeg = stream('mjpeg').subarray(0, jpegLength(stream('mjpeg')));
    // A comment segment holding the EOI bytes, right after SOI.
    const comment = Buffer.from([0xff, 0xfe, 0x00, 0x06, 0xff, 0xd9, 0xff, 0xd9]);
    const tricky = Buffer.concat([jpeg.subarray(0, 2), comment, jpeg.subarray(2)]);
    expect(jpegLength(tricky)).toBe(tricky.length);
    expect(jpegLength(tricky.subarray(0, tricky.length - 1))).toBe(0);
  });

  it('refuses bytes that are not the announced format', () => {
    expect(() => jpegLength(Buffer.from('<!doctype html>'))).toThrow(/JPEG/);
    expect(() => pngLength(Buffer.from('<!doctype html>'))).toThrow(/PNG/);
  });
});
