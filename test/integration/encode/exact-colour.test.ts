import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEncodeArgs, prepareOutput, startFfmpeg, type InputCodec } from '../../../src/encode/index.js';

const run = promisify(execFile);
const W = 1280;
const H = 720;

let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mc-colour-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/**
 * One frame from an ffmpeg source, as the renderer hands frames over: a
 * full-range 4:2:0 JPEG (what Chromium's JPEG capture is) or an RGB PNG.
 */
async function frame(name: string, lavfi: string, codec: InputCodec): Promise<Buffer> {
  const file = join(work, `${name}.${codec === 'png' ? 'png' : 'jpg'}`);
  const format = codec === 'png' ? ['-pix_fmt', 'rgb24'] : ['-pix_fmt', 'yuvj420p', '-q:v', '1'];
  await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', lavfi, '-frames:v', '1', ...format, file]);
  return readFile(file);
}

/**
 * Encodes 3 copies of a frame through the master encode arguments, as the
 * renderer does. `crf` 1 for gradients: at the default 20, x264's own
 * rounding moves row means by more than the one-level seams looked for.
 */
async function encode(name: string, image: Buffer, inputCodec: InputCodec, crf?: number): Promise<string> {
  const out = await prepareOutput(join(work, `${name}.mp4`));
  try {
    const options = { format: 'mp4', fps: 30, width: W, height: H, inputCodec, durationInFrames: 3, outPath: out.tempPath, crf } as const;
    const ffmpeg = await startFfmpeg(buildEncodeArgs(options));
    for (let i = 0; i < 3; i++) await ffmpeg.write(image);
    await ffmpeg.end();
    await out.commit();
  } finally {
    await out.discard();
  }
  return out.finalPath;
}

async function decode(file: string, pixFmt: 'yuv420p' | 'rgb24'): Promise<Buffer> {
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', file, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', pixFmt, 'pipe:1'], {
    encoding: 'buffer',
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

/** The Y, U and V planes of the first frame, as decoded (no conversion: the stream is yuv420p). */
async function planes(file: string): Promise<{ y: Buffer; u: Buffer; v: Buffer }> {
  const raw = await decode(file, 'yuv420p');
  const q = (W * H) / 4;
  return { y: raw.subarray(0, W * H), u: raw.subarray(W * H, W * H + q), v: raw.subarray(W * H + q) };
}

/** Limited-range BT.709 of an sRGB colour (ITU-R BT.709-6, 8 bits), unrounded. */
function bt709(r: number, g: number, b: number): [number, number, number] {
  const [R, G, B] = [r / 255, g / 255, b / 255];
  const luma = 0.2126 * R + 0.7152 * G + 0.0722 * B;
  return [16 + 219 * luma, 128 + (224 * (B - luma)) / 1.8556, 128 + (224 * (R - luma)) / 1.5748];
}

const histogram = (plane: Buffer) => [...new Set(plane)].sort((a, b) => a - b);

describe('master encode colour', () => {
  for (const codec of ['mjpeg', 'png'] as const) {
    it(`keeps white exactly 235/128/128 on every pixel (${codec} frames)`, async () => {
      const { y, u, v } = await planes(await encode(`white-${codec}`, await frame(`white-${codec}`, `color=white:s=${W}x${H}`, codec), codec));
      expect([histogram(y), histogram(u), histogram(v)]).toEqual([[235], [128], [128]]);
    });

    it(`converts flat colours with the BT.709 matrix (${codec} frames)`, async () => {
      // A BT.601 conversion tagged as BT.709 would miss these by up to 19 levels.
      for (const [name, rgb] of [['black', [0, 0, 0]], ['red', [255, 0, 0]], ['lime', [0, 255, 0]], ['blue', [0, 0, 255]], ['0x336699', [0x33, 0x66, 0x99]]] as const) {
        const file = await encode(`${name}-${codec}`, await frame(`${name}-${codec}`, `color=${name}:s=${W}x${H}`, codec), codec);
        const { y, u, v } = await planes(file);
        // Compared with what the encoder was given (a JPEG is itself lossy, by a level or two on saturated colours).
        const given = await decode(join(work, `${name}-${codec}.${codec === 'png' ? 'png' : 'jpg'}`), 'rgb24');
        const expected = bt709(given[0]!, given[1]!, given[2]!);
        const tolerance = codec === 'png' ? 0.51 : 1.51;
        for (const [plane, want] of [[y, expected[0]], [u, expected[1]], [v, expected[2]]] as const) {
          const values = histogram(plane);
          expect(values.length, `${name} is flat`).toBe(1);
          expect(Math.abs(values[0]! - want), `${name}: ${values[0]} vs ${want.toFixed(2)}`).toBeLessThanOrEqual(tolerance);
        }
        if (name === 'black') expect([histogram(y)[0], histogram(u)[0], histogram(v)[0]]).toEqual([16, 128, 128]);
      }
    });

    it(`has no seams between rows in a vertical gradient (${codec} frames)`, async () => {
      const source = `gradients=s=${W}x${H}:c0=black:c1=white:x0=0:y0=0:x1=0:y1=${H}:nb_colors=2:seed=1`;
      // A fixed seed: the source otherwise differs from run to run, and so did this test's verdict.
      const image = await frame(`ramp-${codec}`, source, codec);
      const given = await decode(join(work, `ramp-${codec}.${codec === 'png' ? 'png' : 'jpg'}`), 'rgb24');
      const { y, u, v } = await planes(await encode(`ramp-${codec}`, image, codec, 1));
      // Each row's mean luma error against BT.709 of what was given: a slice seam shows as rows off by a level.
      const errors = Array.from({ length: H }, (_, row) => {
        let sum = 0;
        for (let x = 0; x < W; x++) sum += y[row * W + x]! - bt709(given[(row * W + x) * 3]!, given[(row * W + x) * 3 + 1]!, given[(row * W + x) * 3 + 2]!)[0];
        return sum / W;
      });
      const worst = errors.reduce((m, e) => Math.max(m, Math.abs(e)), 0);
      expect(worst, `worst row error ${worst.toFixed(3)} at row ${errors.findIndex((e) => Math.abs(e) === worst)}`).toBeLessThan(0.6);
      // A grey ramp has no colour at all.
      expect([histogram(u), histogram(v)]).toEqual([[128], [128]]);
    });
  }

  it('tags the stream limited-range BT.709', async () => {
    const file = await encode('tags', await frame('tags', `color=white:s=${W}x${H}`, 'mjpeg'), 'mjpeg');
    const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=pix_fmt,color_range,color_space,color_transfer,color_primaries', '-of', 'json', file]);
    expect(JSON.parse(stdout).streams[0]).toEqual({
      pix_fmt: 'yuv420p',
      color_range: 'tv',
      color_space: 'bt709',
      color_transfer: 'bt709',
      color_primaries: 'bt709',
    });
  });
});
