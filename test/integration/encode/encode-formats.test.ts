import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildEncodeArgs,
  buildStillArgs,
  prepareOutput,
  probe,
  startFfmpeg,
  type EncodeOptions,
  type FfmpegProgress,
} from '../../../src/encode/index.js';
import { makeFrames, makeSine, mp4BoxOffset } from './fixtures.js';

const W = 320;
const H = 180;
const FRAMES = 30;
const FPS = 30;

let work: string;
let jpegs: Buffer[];
let sinePath: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mc-encode-'));
  jpegs = await makeFrames(work, { count: FRAMES, width: W, height: H, codec: 'mjpeg' });
  sinePath = await makeSine(join(work, 'sine.wav'), 2);
  await mkdir(join(work, 'out'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** The renderer's path: prepare, pipe frames with backpressure, end, commit. */
async function encode(name: string, options: Omit<EncodeOptions, 'outPath'>): Promise<{ path: string; progress: FfmpegProgress[] }> {
  const out = await prepareOutput(join(work, 'out', name));
  const progress: FfmpegProgress[] = [];
  try {
    const ffmpeg = await startFfmpeg(buildEncodeArgs({ ...options, outPath: out.tempPath }), { onProgress: (p) => progress.push(p) });
    for (const frame of jpegs) await ffmpeg.write(frame);
    await ffmpeg.end();
    await out.commit();
  } finally {
    await out.discard();
  }
  return { path: out.finalPath, progress };
}

const video = { fps: FPS, width: W, height: H, inputCodec: 'mjpeg', durationInFrames: FRAMES } as const;

/** Peak absolute sample (s16, first channel) of a file's audio between two times. */
async function audioPeak(path: string, fromSec: number, toSec: number): Promise<number> {
  const { stdout } = await promisify(execFile)(
    'ffmpeg',
    ['-v', 'error', '-i', path, '-vn', '-ac', '1', '-ar', '48000', '-f', 's16le', '-'],
    { encoding: 'buffer', maxBuffer: 8 * 1024 * 1024 },
  );
  let peak = 0;
  for (let i = Math.floor(fromSec * 48_000); i < Math.min(toSec * 48_000, stdout.length / 2); i++) {
    peak = Math.max(peak, Math.abs(stdout.readInt16LE(i * 2)));
  }
  return peak;
}

describe('encoding frames from stdin', () => {
  it('mp4: h264 yuv420p, every frame, faststart, no audio without tracks', async () => {
    const { path, progress } = await encode('plain.mp4', { ...video, format: 'mp4' });
    const info = await probe(path, { countFrames: true });
    expect(info.formatName).toContain('mp4');
    expect(info.video).toMatchObject({ codec: 'h264', width: W, height: H, pixFmt: 'yuv420p', fps: FPS, frames: FRAMES });
    expect(info.durationSec).toBeCloseTo(1, 1);
    expect(info.audio).toBeUndefined();
    expect(info.raw.streams[0]).toMatchObject({ profile: 'High', color_space: 'bt709' });
    const bytes = await readFile(path);
    const moov = mp4BoxOffset(bytes, 'moov');
    const mdat = mp4BoxOffset(bytes, 'mdat');
    expect(moov).toBeGreaterThan(0);
    expect(mdat).toBeGreaterThan(moov);
    expect(progress.at(-1)).toMatchObject({ done: true, frame: FRAMES });
    // Only the committed file is left: no temp files.
    expect(await readdir(join(work, 'out'))).toEqual(['plain.mp4']);
  });

  it('mp4 with a sine track: AAC stereo, cut to the video duration', async () => {
    const { path } = await encode('audio.mp4', {
      ...video,
      format: 'mp4',
      audioTracks: [{ path: sinePath, fromFrame: 10, volume: 0.5 }],
    });
    const info = await probe(path, { countFrames: true });
    expect(info.video?.frames).toBe(FRAMES);
    expect(info.audio).toMatchObject({ codec: 'aac', channels: 2, sampleRate: 48_000 });
    // The sine is 2 s long but the video 1 s: the audio stops with the video.
    const audio = info.raw.streams.find((s) => s.codec_type === 'audio');
    expect(Number(audio?.duration)).toBeCloseTo(1, 1);
    expect(info.durationSec).toBeLessThan(1.1);
    // fromFrame 10 = 0.333 s of silence, then the sine (amplitude 1/8 = 4096)
    // at half volume, upmixed mono -> stereo at -3 dB: 4096 * 0.5 * 0.707 = 1448.
    expect(await audioPeak(path, 0.05, 0.3)).toBeLessThan(200);
    const peak = await audioPeak(path, 0.45, 0.9);
    expect(peak).toBeGreaterThan(1250);
    expect(peak).toBeLessThan(1650);
  });

  it('webm: vp9 yuv420p; Opus only when a track is given', async () => {
    const plain = await probe((await encode('plain.webm', { ...video, format: 'webm' })).path, { countFrames: true });
    expect(plain.formatName).toContain('webm');
    expect(plain.video).toMatchObject({ codec: 'vp9', width: W, height: H, pixFmt: 'yuv420p', frames: FRAMES });
    expect(plain.durationSec).toBeCloseTo(1, 1);
    expect(plain.audio).toBeUndefined();

    const withAudio = await probe(
      (await encode('audio.webm', { ...video, format: 'webm', audioTracks: [{ path: sinePath, fromFrame: 0, volume: 1 }] })).path,
    );
    expect(withAudio.audio).toMatchObject({ codec: 'opus', channels: 2, sampleRate: 48_000 });
  });

  it('gif: palette gif at the reduced frame rate and width', async () => {
    const { path } = await encode('preview.gif', { ...video, format: 'gif', gif: { width: 160, fps: 15 } });
    const info = await probe(path, { countFrames: true });
    expect(info.formatName).toBe('gif');
    expect(info.video).toMatchObject({ codec: 'gif', width: 160, height: 90, frames: 15 });
    expect(info.durationSec).toBeCloseTo(1, 1);
    expect((await readFile(path)).subarray(0, 6).toString('latin1')).toBe('GIF89a');
  });

  it('still: converts a captured JPEG frame to webp', async () => {
    const out = await prepareOutput(join(work, 'out', 'poster.webp'));
    const ffmpeg = await startFfmpeg(buildStillArgs({ inputCodec: 'mjpeg', format: 'webp', outPath: out.tempPath, quality: 70 }));
    await ffmpeg.write(jpegs[0] as Buffer);
    await ffmpeg.end();
    await out.commit();
    const info = await probe(out.finalPath);
    expect(info.video).toMatchObject({ codec: 'webp', width: W, height: H });
  });
});
