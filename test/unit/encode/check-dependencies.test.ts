import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/errors/index.js';
import { checkBinary, findChromium, findFfmpeg, findFfprobe } from '../../../src/encode/index.js';

let root: string;
let binA: string;
let binB: string;

async function fakeExe(dir: string, name: string, mode = 0o755): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, '#!/bin/sh\nexit 0\n');
  await chmod(path, mode);
  return path;
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(() => new Error('expected a rejection'), (err: unknown) => err);
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mc-deps-'));
  binA = join(root, 'a');
  binB = join(root, 'b');
  await mkdir(binA);
  await mkdir(binB);
  await fakeExe(binA, 'tool', 0o644); // not executable: skipped
  await fakeExe(binB, 'tool');
  await fakeExe(binB, 'chromium');
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('checkBinary', () => {
  it('returns the first executable match on PATH', async () => {
    expect(await checkBinary('tool', { installHint: 'x', env: { PATH: `${binA}:${binB}` } })).toBe(join(binB, 'tool'));
  });

  it('uses an explicit path as-is', async () => {
    expect(await checkBinary('tool', { path: join(binB, 'tool'), installHint: 'x', env: { PATH: '' } })).toBe(join(binB, 'tool'));
  });

  it('throws DEPENDENCY_MISSING with the install hint', async () => {
    const err = await rejection(checkBinary('tool', { installHint: 'apt-get install tool', env: { PATH: binA } }));
    expect(isAppError(err, 'DEPENDENCY_MISSING')).toBe(true);
    expect((err as Error).message).toContain('apt-get install tool');
  });

  it('findFfmpeg/findFfprobe explain how to install ffmpeg', async () => {
    const err = await rejection(findFfmpeg({ env: { PATH: binA } }));
    expect(isAppError(err, 'DEPENDENCY_MISSING')).toBe(true);
    expect((err as Error).message).toContain('apt-get install ffmpeg');
    expect((err as Error).message).toContain('scripts/install-system-deps.sh');
    expect(isAppError(await rejection(findFfprobe({ path: '/nonexistent/ffprobe' })), 'DEPENDENCY_MISSING')).toBe(true);
  });

  it('finds the real ffmpeg and ffprobe on this machine', async () => {
    expect(await findFfmpeg()).toMatch(/\/ffmpeg$/);
    expect(await findFfprobe()).toMatch(/\/ffprobe$/);
  });
});

describe('findChromium', () => {
  it('prefers MASTERCUT_CHROMIUM_PATH, then CHROMIUM_PATH', async () => {
    const exe = join(binB, 'tool');
    expect(await findChromium({ env: { PATH: '', MASTERCUT_CHROMIUM_PATH: exe, CHROMIUM_PATH: '/nope' } })).toEqual({ path: exe, source: 'env' });
    expect(await findChromium({ env: { PATH: '', CHROMIUM_PATH: exe } })).toEqual({ path: exe, source: 'env' });
  });

  it('rejects a broken env override instead of silently falling back', async () => {
    const err = await rejection(findChromium({ env: { PATH: '', CHROMIUM_PATH: '/nope/chrome' } }));
    expect(isAppError(err, 'DEPENDENCY_MISSING')).toBe(true);
    expect((err as Error).message).toContain('CHROMIUM_PATH');
  });

  it('finds chromium-headless-shell (installed on this machine) without a warning', async () => {
    const found = await findChromium({ env: { PATH: binB } });
    expect(found.source).toBe('headless-shell');
    expect(found.path).toMatch(/chromium-headless-shell$/);
    expect(found.warning).toBeUndefined();
  });
});
