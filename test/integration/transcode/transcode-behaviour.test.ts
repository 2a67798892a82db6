import { copyFile, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelledError, isAppError } from '../../../src/errors/index.js';
import {
  CPU_CAPS,
  deliverableSpecSchema,
  probe,
  resolveChannelProfile,
  transcodeDeliverable,
  type DeliverableSpecInput,
  type EncoderCaps,
} from '../../../src/encode/index.js';
import { readRgb, type RgbImage } from '../../helpers/pixels.js';
import { makeMaster } from './fixtures.js';

let dir: string;
let master: string;
const spec = (input: DeliverableSpecInput) => deliverableSpecSchema.parse(input);
const outDir = () => mkdtemp(join(dir, 'out-'));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mastercut-transcode-b-'));
  master = await makeMaster(dir, 'master.mp4', { width: 640, height: 360, seconds: 4 });
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

/** Mean absolute RGB difference of two images over a rectangle. */
function meanDiff(a: RgbImage, b: RgbImage, r: { x: number; y: number; width: number; height: number }): number {
  let sum = 0;
  for (let y = r.y; y < r.y + r.height; y++) {
    for (let x = r.x; x < r.x + r.width; x++) {
      const i = (y * a.width + x) * 3;
      for (let c = 0; c < 3; c++) sum += Math.abs(a.data[i + c]! - b.data[i + c]!);
    }
  }
  return sum / (r.width * r.height * 3);
}

describe('GIF byte budget', () => {
  const gif = (maxBytes: number) =>
    spec({ kind: 'gif', name: 'preview.gif', width: 480, fps: 12, durationSeconds: 2, maxBytes, fallbackSteps: [{ fps: 8, width: 320 }, { fps: 5, width: 160 }] });

  it('walks the fallback steps until the file fits, and records the step', async () => {
    const out = await outDir();
    // Far too small for 480 px at 12 fps, enough for 160 px at 5 fps.
    const r = await transcodeDeliverable({ masterPath: master, spec: gif(60_000), outDir: out, caps: CPU_CAPS });
    expect(r.gifStep).toBe(2);
    const p = await probe(r.files[0]!.path);
    expect(p.video).toMatchObject({ codec: 'gif', width: 160, height: 90 });
    expect(p.sizeBytes).toBeLessThanOrEqual(60_000);
  });

  it('fails with DELIVERABLE_INVALID naming the sizes when no step fits', async () => {
    const err = await caught(transcodeDeliverable({ masterPath: master, spec: gif(2_000), outDir: await outDir(), caps: CPU_CAPS }));
    expect(isAppError(err, 'DELIVERABLE_INVALID')).toBe(true);
    expect((err as Error).message).toMatch(/over 2000 bytes at every step \(480px@12fps=\d+B, 320px@8fps=\d+B, 160px@5fps=\d+B\)/);
  });
});

describe('posters', () => {
  it('the email poster carries the play badge: its centre differs from the plain poster, its corners do not', async () => {
    const at = { posterSeconds: 2 };
    const badge = await transcodeDeliverable({ masterPath: master, ...at, outDir: await outDir(), caps: CPU_CAPS,
      spec: spec({ kind: 'poster', name: 'poster.jpg', width: 640, playBadge: true }) });
    const plain = await transcodeDeliverable({ masterPath: master, ...at, outDir: await outDir(), caps: CPU_CAPS,
      spec: spec({ kind: 'poster', name: 'poster.jpg', width: 640, playBadge: false }) });
    const size = { width: 640, height: 360 };
    const [a, b] = await Promise.all([readRgb(badge.files[0]!.path, size), readRgb(plain.files[0]!.path, size)]);
    // Badge: 114 px disc centred at (320,180).
    expect(meanDiff(a, b, { x: 290, y: 150, width: 60, height: 60 })).toBeGreaterThan(40);
    expect(meanDiff(a, b, { x: 0, y: 0, width: 100, height: 100 })).toBeLessThan(4);
    // The triangle is white; the disc around it darkens the frame.
    const i = (180 * 640 + 322) * 3;
    expect([a.data[i], a.data[i + 1], a.data[i + 2]].every((v) => v! > 220)).toBe(true);
  });
});

describe('pass-through', () => {
  it('publishes the master itself when the spec matches it', async () => {
    const out = await outDir();
    const r = await transcodeDeliverable({ masterPath: master, outDir: out, caps: CPU_CAPS,
      spec: spec({ kind: 'video', name: 'video.mp4', width: 640, height: 360 }) });
    expect(r).toMatchObject({ passThrough: true, fellBackToCpu: false });
    expect(r.files).toEqual([{ name: 'video.mp4', path: master, contentType: 'video/mp4', size: (await stat(master)).size }]);
    expect(await readdir(out)).toEqual([]);
  });
});

describe('GPU failure falls back to the CPU', () => {
  // NVENC is compiled into Debian's ffmpeg but no NVIDIA driver is here: it fails at init like a broken GPU would.
  const nvencOnly: EncoderCaps = { decode: 'cpu', h264: 'h264_nvenc', label: 'nvidia' };
  const nvidia: EncoderCaps = { decode: 'cuda', h264: 'h264_nvenc', hevc: 'hevc_nvenc', label: 'nvidia' };

  it('a video with an NVENC that does not work completes on the CPU', async () => {
    const r = await transcodeDeliverable({ masterPath: master, outDir: await outDir(), caps: nvencOnly,
      spec: spec({ kind: 'video', name: 'video.mp4', width: 320, height: 180 }) });
    expect(r).toMatchObject({ fellBackToCpu: true, pipeline: 'cpu', passThrough: false });
    expect(r.gpuError).toMatch(/^FFMPEG_FAILED: .*libcuda/s);
    const p = await probe(r.files[0]!.path);
    expect(p.video).toMatchObject({ codec: 'h264', width: 320, height: 180 });
  });

  it('an HLS ladder with CUDA decode completes on the CPU, and a master inside outDir survives the cleanup', async () => {
    const out = await outDir();
    const local = join(out, 'master.mp4');
    await copyFile(master, local);
    const hls = spec({ kind: 'hls', name: 'master.m3u8', rungs: [{ width: 320, height: 180, videoBitrateK: 300 }, { width: 640, height: 360, videoBitrateK: 800 }] });
    const r = await transcodeDeliverable({ masterPath: local, outDir: out, caps: nvidia, spec: hls });
    expect(r.fellBackToCpu).toBe(true);
    expect(r.files[0]!.name).toBe('master.m3u8');
    expect(r.files.map((f) => f.name)).not.toContain('master.mp4');
    expect(r.files.map((f) => f.name)).toEqual(expect.arrayContaining(['180p/index.m3u8', '180p/init_0.mp4', '360p/seg-001.m4s']));
    expect((await stat(local)).size).toBeGreaterThan(0);
  });

  it('a poster with CUDA decode completes on the CPU; a GIF never tries the GPU', async () => {
    const poster = await transcodeDeliverable({ masterPath: master, outDir: await outDir(), caps: nvidia,
      spec: spec({ kind: 'poster', name: 'poster.jpg', width: 320, playBadge: true }) });
    expect(poster.fellBackToCpu).toBe(true);
    const gif = await transcodeDeliverable({ masterPath: master, outDir: await outDir(), caps: nvidia,
      spec: spec({ kind: 'gif', name: 'p.gif', width: 160, fps: 6, durationSeconds: 1, maxBytes: 1_000_000 }) });
    expect(gif).toMatchObject({ fellBackToCpu: false, pipeline: 'cpu', gifStep: 0 });
  });
});

describe('failures and cancellation', () => {
  it('a CPU ffmpeg failure is FFMPEG_FAILED with the stderr tail in details', async () => {
    // libx264 refuses odd dimensions in 4:2:0: a real encoder error.
    const err = await caught(transcodeDeliverable({ masterPath: master, outDir: await outDir(), caps: CPU_CAPS,
      spec: spec({ kind: 'video', name: 'video.mp4', width: 321, height: 181 }) }));
    expect(isAppError(err, 'FFMPEG_FAILED')).toBe(true);
    const details = (err as { details: Record<string, unknown> }).details;
    expect(details).toMatchObject({ deliverable: 'video.mp4', pipeline: 'cpu' });
    expect(String(details.stderrTail)).toMatch(/divisible by 2/);
  });

  it('aborting kills ffmpeg and rejects with CancelledError', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const p = transcodeDeliverable({ masterPath: master, outDir: await outDir(), caps: CPU_CAPS, signal: controller.signal,
      spec: spec({ kind: 'video', name: 'video.webm', container: 'webm', codec: 'vp9', width: 640, height: 360 }),
      onProgress: () => controller.abort('test abort') });
    setTimeout(() => controller.abort('test abort'), 1_500);
    const err = await caught(p);
    expect(err).toBeInstanceOf(CancelledError);
    // A full VP9 encode of 4 s at 640x360 takes longer than this on two cores.
    expect(Date.now() - started).toBeLessThan(4_000);
  });
});

describe('WebM twins', () => {
  it('a VP9/Opus WebM twin of a budgeted MP4 fits the same budget', async () => {
    const profile = resolveChannelProfile('tiny', {
      webm: true,
      config: { tiny: { variant: 'landscape', deliverables: [{ kind: 'video', name: 'clip.mp4', width: 320, height: 180, maxBytes: 150_000, audioBitrateK: 32 }] } },
    });
    const twin = profile.deliverables[1]!;
    expect(twin.name).toBe('clip.webm');
    const r = await transcodeDeliverable({ masterPath: master, outDir: await outDir(), caps: CPU_CAPS, spec: twin });
    const p = await probe(r.files[0]!.path);
    expect(p.video).toMatchObject({ codec: 'vp9', width: 320, height: 180 });
    expect(p.audio?.codec).toBe('opus');
    expect(p.sizeBytes).toBeLessThanOrEqual(150_000);
    expect(r.files[0]!.contentType).toBe('video/webm');
  });
});
