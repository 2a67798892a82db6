import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface RgbImage {
  width: number;
  height: number;
  data: Buffer;
}

/** Decodes an image file, or frame `frame` of a video, to raw RGB with ffmpeg. */
export async function readRgb(file: string, size: { width: number; height: number }, frame?: number): Promise<RgbImage> {
  const select = frame === undefined ? [] : ['-vf', `select=eq(n\\,${frame})`, '-vsync', '0'];
  const { stdout } = await run(
    'ffmpeg',
    ['-v', 'error', '-i', file, ...select, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
    { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 },
  );
  return { ...size, data: stdout };
}

/** Decodes an in-memory JPEG/PNG frame to raw RGB. */
export async function decodeRgb(image: Buffer, size: { width: number; height: number }): Promise<RgbImage> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'ffmpeg',
      ['-v', 'error', '-i', 'pipe:0', '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
      { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 },
      (err, stdout) => (err ? reject(err) : resolve({ ...size, data: stdout })),
    );
    child.stdin?.end(image);
  });
}

export function pixelAt(image: RgbImage, x: number, y: number): [number, number, number] {
  const i = (y * image.width + x) * 3;
  return [image.data[i]!, image.data[i + 1]!, image.data[i + 2]!];
}

/** True when every channel is within `tolerance` of the expected colour (video is lossy). */
export function near(actual: [number, number, number], expected: [number, number, number], tolerance = 24): boolean {
  return actual.every((value, i) => Math.abs(value - expected[i]!) <= tolerance);
}

/** How many pixels of a rectangle are close to a colour. */
export function countNear(
  image: RgbImage,
  rect: { x: number; y: number; width: number; height: number },
  colour: [number, number, number],
  tolerance = 40,
): number {
  let count = 0;
  for (let y = rect.y; y < rect.y + rect.height; y++) {
    for (let x = rect.x; x < rect.x + rect.width; x++) if (near(pixelAt(image, x, y), colour, tolerance)) count++;
  }
  return count;
}
