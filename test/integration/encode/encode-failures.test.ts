import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelledError, isAppError } from '../../../src/errors/index.js';
import { buildEncodeArgs, prepareOutput, probe, startFfmpeg, type FfmpegProcess } from '../../../src/encode/index.js';
import { makeFrames } from './fixtures.js';

let work: string;
let frames: Buffer[];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mc-encode-fail-'));
  frames = await makeFrames(work, { count: 10, width: 160, height: 90, codec: 'mjpeg' });
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(() => new Error('expected a rejection'), (err: unknown) => err);
}

/** Writes frames forever until a write rejects; returns that error. */
async function writeUntilRejected(ffmpeg: FfmpegProcess): Promise<unknown> {
  for (let i = 0; i < 10_000; i++) {
    const err = await rejection(ffmpeg.write(frames[i % frames.length] as Buffer));
    if (!(err instanceof Error && err.message === 'expected a rejection')) return err;
  }
  return new Error('writes never failed');
}

async function newDir(name: string): Promise<string> {
  const dir = join(work, name);
  await mkdir(dir);
  return dir;
}

const mp4 = { format: 'mp4', fps: 30, width: 160, height: 90, inputCodec: 'mjpeg', durationInFrames: 1000 } as const;

describe('encode failure modes', () => {
  it('an unwritable output directory gives OUTPUT_NOT_WRITABLE and leaves no file', async () => {
    // /sys refuses new files even for root, which a chmod-based test cannot guarantee.
    const target = existsSync('/sys/kernel') ? '/sys/kernel/mastercut-test.mp4' : join(work, 'missing', 'x.mp4');
    const err = await rejection(prepareOutput(target));
    expect(isAppError(err, 'OUTPUT_NOT_WRITABLE')).toBe(true);
    expect((err as Error).message).toContain(target);
    expect(existsSync(target)).toBe(false);
  });

  it('aborting mid-stream kills ffmpeg, rejects with CancelledError and discard leaves nothing', async () => {
    const dir = await newDir('abort');
    const out = await prepareOutput(join(dir, 'a.mp4'));
    const controller = new AbortController();
    const ffmpeg = await startFfmpeg(buildEncodeArgs({ ...mp4, outPath: out.tempPath }), { signal: controller.signal });
    for (const frame of frames) await ffmpeg.write(frame);
    controller.abort(new Error('user cancelled'));
    const err = await rejection(ffmpeg.end());
    expect(err).toBeInstanceOf(CancelledError);
    expect((err as Error).message).toBe('user cancelled');
    expect(await rejection(ffmpeg.write(frames[0] as Buffer))).toBeInstanceOf(CancelledError);
    await out.discard();
    expect(await readdir(dir)).toEqual([]);
  });

  it('an already-aborted signal never spawns ffmpeg', async () => {
    await expect(startFfmpeg(['-version'], { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(CancelledError);
  });

  it('kill() mid-stream rejects end() with CancelledError', async () => {
    const dir = await newDir('kill');
    const out = await prepareOutput(join(dir, 'k.webm'));
    const ffmpeg = await startFfmpeg(buildEncodeArgs({ ...mp4, format: 'webm', outPath: out.tempPath }));
    await ffmpeg.write(frames[0] as Buffer);
    ffmpeg.kill();
    expect(await rejection(ffmpeg.end())).toBeInstanceOf(CancelledError);
    await out.discard();
    expect(await readdir(dir)).toEqual([]);
  });

  it('ffmpeg dying mid-stream (EPIPE) rejects writes with FFMPEG_FAILED instead of crashing', async () => {
    const dir = await newDir('died');
    const out = await prepareOutput(join(dir, 'd.mp4'));
    const ffmpeg = await startFfmpeg(buildEncodeArgs({ ...mp4, outPath: out.tempPath }));
    await ffmpeg.write(frames[0] as Buffer);
    process.kill(ffmpeg.pid, 'SIGKILL');
    const err = await writeUntilRejected(ffmpeg);
    expect(isAppError(err, 'FFMPEG_FAILED')).toBe(true);
    expect((err as Error).message).toContain('SIGKILL');
    expect(isAppError(await rejection(ffmpeg.end()), 'FFMPEG_FAILED')).toBe(true);
    await out.discard();
    expect(await readdir(dir)).toEqual([]);
  });

  it('bad arguments give FFMPEG_FAILED with the stderr tail', async () => {
    const args = buildEncodeArgs({ ...mp4, outPath: join(work, 'bad.mp4') }).map((a) => (a === 'libx264' ? 'no_such_encoder' : a));
    const ffmpeg = await startFfmpeg(args);
    const err = await writeUntilRejected(ffmpeg);
    expect(isAppError(err, 'FFMPEG_FAILED')).toBe(true);
    expect((err as Error).message).toMatch(/exited with code \d+: .*no_such_encoder/s);
    expect((err as { details: { stderrTail: string } }).details.stderrTail).toContain('no_such_encoder');
  });

  it('a missing ffmpeg or ffprobe binary gives DEPENDENCY_MISSING with an install hint', async () => {
    const err = await rejection(startFfmpeg(['-version'], { ffmpegPath: '/nonexistent/ffmpeg' }));
    expect(isAppError(err, 'DEPENDENCY_MISSING')).toBe(true);
    expect((err as Error).message).toContain('apt-get install ffmpeg');
    const perr = await rejection(probe(join(work, 'frame-001.jpg'), { ffprobePath: '/nonexistent/ffprobe' }));
    expect(isAppError(perr, 'DEPENDENCY_MISSING')).toBe(true);
  });

  it('probing a file that is not media gives FFMPEG_FAILED', async () => {
    const path = join(work, 'not-media.mp4');
    await writeFile(path, 'hello');
    const err = await rejection(probe(path));
    expect(isAppError(err, 'FFMPEG_FAILED')).toBe(true);
    expect((err as Error).message).toContain('Invalid data');
  });
});
