import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
/** Size of the video-pattern fixture's variant. */
export const WIDTH = 320;
export const HEIGHT = 180;

/** What one output frame shows: the source frame number, no video (the grey background), or something else. */
export type Shown = number | 'none' | 'unreadable';

/**
 * Reads every frame of a render of the video-pattern fixture: 8 blocks of
 * bits across the top, their complement across the bottom. A frame that is
 * a blend of two source frames has grey blocks and reads as unreadable.
 */
export async function readPatternFrames(file: string): Promise<Shown[]> {
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1'], {
    encoding: 'buffer',
    maxBuffer: 64 * 1024 * 1024,
  });
  const size = WIDTH * HEIGHT;
  const frames: Shown[] = [];
  for (let f = 0; f * size < stdout.length; f++) {
    const at = (x: number, y: number) => stdout[f * size + y * WIDTH + x]!;
    let value = 0;
    let state: Shown = 0;
    let grey = 0;
    for (let bit = 0; bit < 8; bit++) {
      const top = at(bit * 40 + 20, 45);
      const bottom = at(bit * 40 + 20, 135);
      if (Math.abs(top - 128) < 30 && Math.abs(bottom - 128) < 30) grey++;
      else if (top > 190 && bottom < 60) value |= 1 << bit;
      else if (!(top < 60 && bottom > 190)) state = 'unreadable';
    }
    frames.push(grey === 8 ? 'none' : grey > 0 ? 'unreadable' : state === 'unreadable' ? state : value);
  }
  return frames;
}

/** Mean volume (dB) of the output's sound between two times. */
export async function meanVolume(file: string, start: number, duration: number): Promise<number> {
  const { stderr } = await run('ffmpeg', ['-hide_banner', '-ss', String(start), '-t', String(duration), '-i', file, '-vn', '-af', 'volumedetect', '-f', 'null', '-']);
  return Number(/mean_volume: (-?[\d.]+|-inf) dB/.exec(stderr)?.[1] ?? -Infinity);
}

