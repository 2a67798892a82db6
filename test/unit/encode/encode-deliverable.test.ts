import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/errors/index.js';
import { encodeDeliverable, type RunStep } from '../../../src/encode/index.js';
import { valueAfter } from './args-helpers.js';
import { defaultSpec, PIPELINES, PORTRAIT, LANDSCAPE } from './transcode-fixtures.js';

// The retry logic around the builders, with ffmpeg replaced by a recorder that
// writes an output of a chosen size: what matters here is what is run next.
let outDir: string;
beforeEach(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'mastercut-encode-'));
});
afterEach(async () => {
  await rm(outDir, { recursive: true, force: true });
});

function fakeFfmpeg(sizes: number[]): { run: RunStep; calls: string[][] } {
  const calls: string[][] = [];
  const run: RunStep = async (args) => {
    calls.push(args);
    const out = args.at(-1) as string;
    if (valueAfter(args, '-pass') === '1') {
      await writeFile(`${valueAfter(args, '-passlogfile')}-0.log`, 'stats');
      return;
    }
    await writeFile(out.replace(/^file:/, ''), Buffer.alloc(sizes.shift() ?? 0));
  };
  return { run, calls };
}

describe('encodeDeliverable: SMS byte budget', () => {
  const sms = defaultSpec('sms', 'video');
  const input = () => ({ spec: sms, input: '/m.mp4', outDir, caps: PIPELINES.cpu, master: PORTRAIT });

  it('keeps a first try that fits, and removes the two-pass stats files', async () => {
    const { run, calls } = fakeFfmpeg([550_000]);
    expect(await encodeDeliverable(input(), run)).toEqual({ bitrateK: 378 });
    expect(calls).toHaveLength(2);
    expect(await readdir(outDir)).toEqual(['video.mp4']);
  });

  it('retries once at a lower bitrate after an overshoot', async () => {
    const { run, calls } = fakeFfmpeg([700_000, 560_000]);
    const outcome = await encodeDeliverable(input(), run);
    expect(calls).toHaveLength(4);
    expect(valueAfter(calls[3]!, '-b:v')).toBe(`${outcome.bitrateK}k`);
    expect(outcome.bitrateK).toBeLessThan(378 * 0.8);
  });

  it('fails with DELIVERABLE_INVALID when the retry is still over', async () => {
    const { run } = fakeFfmpeg([700_000, 650_000]);
    let caught: unknown;
    try {
      await encodeDeliverable(input(), run);
    } catch (err) {
      caught = err;
    }
    expect(isAppError(caught, 'DELIVERABLE_INVALID')).toBe(true);
    expect((caught as Error).message).toContain('650000 bytes');
  });

  it('NVENC: one capped pass per try', async () => {
    const { run, calls } = fakeFfmpeg([700_000, 500_000]);
    await encodeDeliverable({ ...input(), caps: PIPELINES.nvidia }, run);
    expect(calls.map((a) => valueAfter(a, '-c:v'))).toEqual(['h264_nvenc', 'h264_nvenc']);
  });
});

describe('encodeDeliverable: GIF steps', () => {
  const gif = defaultSpec('email', 'gif');
  it('stops at the first step that fits and reports it', async () => {
    const { run, calls } = fakeFfmpeg([1_400_000, 1_100_000, 900_000, 10]);
    expect(await encodeDeliverable({ spec: gif, input: '/m.mp4', outDir, caps: PIPELINES.cpu, master: LANDSCAPE }, run)).toEqual({
      gifStep: 2,
      gifSettings: { fps: 8, width: 400 },
    });
    expect(calls).toHaveLength(3);
  });
});
