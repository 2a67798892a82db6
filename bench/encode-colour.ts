/**
 * Master colour conversion benchmark (prints figures; not a test).
 *
 *   npx tsx bench/encode-colour.ts [frames=150]
 *
 * Encodes the same 1280x720 JPEG frames (a colour gradient, full-range
 * BT.601 like Chromium's captures) with the master's x264 settings three
 * times, changing only the conversion to limited-range BT.709: the current
 * zscale filter (what buildEncodeArgs uses), swscale as the master used it
 * before (Y 234 for white, seams between slices), and swscale with
 * accurate_rnd+full_chroma_int (exact, the alternative). Prints each one's
 * encode fps, best of three runs, and the white it gives.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { buildEncodeArgs } from '../src/encode/index.js';

const run = promisify(execFile);
const frames = Number(process.argv[2] ?? 150);
const work = await mkdtemp(path.join(os.tmpdir(), 'mc-bench-colour-'));

async function jpeg(name: string, lavfi: string): Promise<Buffer> {
  const file = path.join(work, `${name}.jpg`);
  await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', lavfi, '-frames:v', '1', '-pix_fmt', 'yuvj420p', '-q:v', '2', file]);
  return readFile(file);
}

/** The master arguments with another -vf, writing to `out`. */
function argsWith(filter: string, out: string, count: number): string[] {
  const args = buildEncodeArgs({ format: 'mp4', fps: 30, width: 1280, height: 720, inputCodec: 'mjpeg', durationInFrames: count, outPath: out });
  args[args.indexOf('-vf') + 1] = filter;
  return args;
}

function encode(args: string[], image: Buffer, count: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('ffmpeg', args, { stdio: ['pipe', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve((count * 1000) / (performance.now() - started)) : reject(new Error(`ffmpeg exited ${code}`))));
    for (let i = 0; i < count; i++) child.stdin.write(image);
    child.stdin.end();
  });
}

async function whiteOf(filter: string, white: Buffer): Promise<string> {
  const out = path.join(work, 'white.mp4');
  await encode(argsWith(filter, out, 1), white, 1);
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', out, '-f', 'rawvideo', '-pix_fmt', 'yuv420p', 'pipe:1'], { encoding: 'buffer', maxBuffer: 8 << 20 });
  return `Y ${stdout[0]} U ${stdout[1280 * 720]} V ${stdout[1280 * 720 * 1.25]}`;
}

const current = buildEncodeArgs({ format: 'mp4', fps: 30, width: 1280, height: 720, inputCodec: 'mjpeg', durationInFrames: 1, outPath: 'x' });
const filters: Array<[string, string]> = [
  ['zscale (master)', current[current.indexOf('-vf') + 1]!],
  ['swscale, before', 'scale=out_color_matrix=bt709:out_range=tv,format=yuv420p'],
  ['swscale accurate', 'scale=out_color_matrix=bt709:out_range=tv:flags=accurate_rnd+full_chroma_int,format=yuv420p'],
];
try {
  const gradient = await jpeg('gradient', 'gradients=s=1280x720:c0=0x1e3c72:c1=0xffd700:x0=0:y0=0:x1=1280:y1=720:nb_colors=2');
  const white = await jpeg('white', 'color=white:s=1280x720');
  console.log(`master encode, ${frames} frames of 1280x720 JPEG, libx264 veryfast crf 20, ${os.availableParallelism()} CPUs`);
  for (const [name, filter] of filters) {
    let best = 0;
    for (let i = 0; i < 3; i++) best = Math.max(best, await encode(argsWith(filter, path.join(work, 'out.mp4'), frames), gradient, frames));
    console.log(`  ${name.padEnd(18)} ${best.toFixed(1).padStart(6)} fps   white: ${await whiteOf(filter, white)}`);
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
