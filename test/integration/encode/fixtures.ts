import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Renders `count` frames of ffmpeg's testsrc (moving pattern + frame counter)
 * as JPEG or PNG files in `dir` and returns them in order as buffers, the way
 * the renderer hands captured frames to the encoder.
 */
export async function makeFrames(dir: string, options: { count: number; width: number; height: number; codec: 'mjpeg' | 'png' }): Promise<Buffer[]> {
  const ext = options.codec === 'png' ? 'png' : 'jpg';
  await run('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc=size=${options.width}x${options.height}:rate=30`,
    '-frames:v', String(options.count),
    ...(options.codec === 'mjpeg' ? ['-q:v', '5'] : []),
    join(dir, `frame-%03d.${ext}`),
  ]);
  const names = (await readdir(dir)).filter((n) => n.startsWith('frame-') && n.endsWith(`.${ext}`)).sort();
  return Promise.all(names.map((n) => readFile(join(dir, n))));
}

/** Writes a mono 440 Hz sine WAV of `seconds` to `path`. */
export async function makeSine(path: string, seconds: number): Promise<string> {
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`, path]);
  return path;
}

/** Byte offset of a top-level MP4 box type (e.g. 'moov'), or -1. */
export function mp4BoxOffset(file: Buffer, type: string): number {
  let offset = 0;
  while (offset + 8 <= file.length) {
    let size = file.readUInt32BE(offset);
    const boxType = file.toString('latin1', offset + 4, offset + 8);
    if (boxType === type) return offset;
    if (size === 1) size = Number(file.readBigUInt64BE(offset + 8));
    if (size === 0) return -1; // box runs to end of file
    if (size < 8) return -1;
    offset += size;
  }
  return -1;
}
