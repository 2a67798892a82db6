import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHANNEL_NAMES,
  CPU_CAPS,
  isFaststart,
  probe,
  resolveChannelProfile,
  transcodeDeliverable,
  type DeliverableSpec,
} from '../../../src/encode/index.js';
import { makeMaster } from './fixtures.js';

// Every default deliverable of every channel, cut on the CPU from a real master.
const cases = CHANNEL_NAMES.flatMap((channel) => {
  const profile = resolveChannelProfile(channel);
  return profile.deliverables.map((spec) => ({ label: `${channel} ${spec.name}`, channel, variant: profile.variant, spec }));
});

let dir: string;
const masters: Record<string, string> = {};
const SECONDS: Record<string, number> = { landscape: 10, portrait: 10, square: 3 };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mastercut-transcode-'));
  masters.landscape = await makeMaster(dir, 'landscape.mp4', { width: 1280, height: 720, seconds: 10 });
  masters.portrait = await makeMaster(dir, 'portrait.mp4', { width: 720, height: 1280, seconds: 10 });
  masters.square = await makeMaster(dir, 'square.mp4', { width: 1080, height: 1080, seconds: 3 });
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function near(actual: number | null | undefined, expected: number, tolerance: number): void {
  expect(actual).not.toBeNull();
  expect(Math.abs((actual as number) - expected)).toBeLessThanOrEqual(tolerance);
}

async function checkHls(spec: Extract<DeliverableSpec, { kind: 'hls' }>, outDir: string, seconds: number): Promise<void> {
  const master = await readFile(join(outDir, spec.name), 'utf8');
  const rungs = [...master.matchAll(/#EXT-X-STREAM-INF:.*RESOLUTION=(\d+)x(\d+).*\n(.+)/g)].map((m) => ({ size: `${m[1]}x${m[2]}`, uri: m[3]! }));
  expect(rungs.map((r) => r.size)).toEqual(spec.rungs.map((r) => `${r.width}x${r.height}`));
  for (const [i, rung] of rungs.entries()) {
    const playlist = await readFile(join(outDir, rung.uri), 'utf8');
    expect(playlist).toContain('#EXT-X-PLAYLIST-TYPE:VOD');
    expect(playlist).toMatch(/#EXT-X-MAP:URI="init_\d\.mp4"/);
    const segments = playlist.split('\n').filter((l) => l.endsWith('.m4s'));
    expect(segments).toHaveLength(Math.ceil(seconds / spec.segmentSeconds));
    const folder = join(outDir, rung.uri, '..');
    expect((await readdir(folder)).filter((n) => n.endsWith('.m4s')).sort()).toEqual(segments);
    const p = await probe(join(outDir, rung.uri));
    expect(p.video).toMatchObject({ codec: 'h264', width: spec.rungs[i]!.width, height: spec.rungs[i]!.height });
    near(p.video?.fps, 30, 0.01);
    expect(p.audio?.codec).toBe('aac');
    near(p.durationSec, seconds, 0.2);
  }
}

describe('transcodeDeliverable: every default profile on the CPU', () => {
  it.each(cases)('$label', async ({ variant, spec }) => {
    const masterPath = masters[variant]!;
    const seconds = SECONDS[variant]!;
    const outDir = await mkdtemp(join(dir, 'out-'));
    const fractions: number[] = [];
    const r = await transcodeDeliverable({ masterPath, spec, outDir, caps: CPU_CAPS, posterSeconds: 1.5, onProgress: (f) => fractions.push(f) });
    expect(r.files[0]!.name).toBe(spec.name);
    expect(r.fellBackToCpu).toBe(false);
    expect(fractions.at(-1)).toBe(1);
    expect([...fractions].sort((a, b) => a - b)).toEqual(fractions);
    const main = r.files[0]!;
    const p = await probe(main.path);
    expect(main.size).toBe(p.sizeBytes);

    switch (spec.kind) {
      case 'poster':
        expect(p.video).toMatchObject({ codec: 'mjpeg', width: spec.width, height: (spec.width * 9) / 16 });
        expect(main.contentType).toBe('image/jpeg');
        break;
      case 'still':
        expect(p.video).toMatchObject({ codec: 'png', width: 1280, height: 720 });
        expect(main.contentType).toBe('image/png');
        break;
      case 'gif':
        expect(p.video).toMatchObject({ codec: 'gif', width: 480, height: 270 });
        expect(p.sizeBytes).toBeLessThan(1_000_000);
        near(p.durationSec, 3, 0.2);
        near(p.video?.fps, 12, 0.6);
        expect(r.gifStep).toBe(0);
        expect(r.pipeline).toBe('cpu');
        break;
      case 'video': {
        expect(p.video).toMatchObject({ codec: 'h264', width: spec.width, height: spec.height });
        near(p.durationSec, seconds, 0.2);
        near(p.video?.fps, 30, 0.01);
        expect(p.audio?.codec).toBe('aac');
        expect(await isFaststart(main.path)).toBe(true);
        if (spec.maxBytes === undefined) {
          // The master already is this deliverable: published as is, nothing encoded.
          expect(r.passThrough).toBe(true);
          expect(main.path).toBe(masterPath);
          expect(await readdir(outDir)).toEqual([]);
        } else {
          expect(r.passThrough).toBe(false);
          expect(p.sizeBytes).toBeLessThan(600_000);
          expect(r.bitrateK).toBeGreaterThan(200);
          // Two-pass stats files are gone.
          expect(await readdir(outDir)).toEqual(['video.mp4']);
        }
        break;
      }
      case 'hls':
        expect(main.contentType).toBe('application/vnd.apple.mpegurl');
        expect(r.files.filter((f) => f.name.endsWith('.m4s'))).toHaveLength(15);
        expect(r.files.filter((f) => f.name.endsWith('.m4s')).every((f) => f.contentType === 'video/iso.segment')).toBe(true);
        await checkHls(spec, outDir, seconds);
        break;
    }
  });
});
