import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/errors/index.js';
import { prepareOutput, tempPathFor, writeFileAtomic } from '../../../src/encode/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mc-atomic-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => new Error('expected a rejection'),
    (err: unknown) => err,
  );
}

describe('tempPathFor', () => {
  it('is a hidden .partial file in the same directory', () => {
    expect(tempPathFor('/out/videos/a.mp4', 'abc123')).toBe('/out/videos/.a.mp4.abc123.partial');
  });

  it('is random by default and bounded in length', () => {
    const a = tempPathFor('/o/a.mp4');
    expect(a).toMatch(/^\/o\/\.a\.mp4\.[0-9a-f]{12}\.partial$/);
    expect(a).not.toBe(tempPathFor('/o/a.mp4'));
    expect(basename(tempPathFor(`/o/${'x'.repeat(250)}.mp4`)).length).toBeLessThanOrEqual(255);
  });
});

describe('prepareOutput', () => {
  it('creates the temp file beside the target and commits it into place', async () => {
    const target = join(dir, 'out.mp4');
    const out = await prepareOutput(target);
    expect(dirname(out.tempPath)).toBe(dir);
    expect(await readdir(dir)).toEqual([basename(out.tempPath)]);
    await writeFile(out.tempPath, 'video');
    await out.commit();
    expect(await readFile(target, 'utf8')).toBe('video');
    expect(await readdir(dir)).toEqual(['out.mp4']);
    await out.discard(); // no-op after commit
    expect(await readFile(target, 'utf8')).toBe('video');
    expect(isAppError(await rejection(out.commit()), 'INTERNAL')).toBe(true);
  });

  it('replaces an existing file only on commit, and discard leaves it untouched', async () => {
    const target = join(dir, 'out.gif');
    await writeFile(target, 'old');
    const out = await prepareOutput(target);
    await writeFile(out.tempPath, 'new');
    expect(await readFile(target, 'utf8')).toBe('old');
    await out.discard();
    expect(await readFile(target, 'utf8')).toBe('old');
    expect(await readdir(dir)).toEqual(['out.gif']);
  });

  it('fails with OUTPUT_NOT_WRITABLE naming the path when the directory is missing', async () => {
    const target = join(dir, 'missing', 'out.mp4');
    const err = await rejection(prepareOutput(target));
    expect(isAppError(err, 'OUTPUT_NOT_WRITABLE')).toBe(true);
    expect((err as Error).message).toContain(target);
    expect((err as Error).message).toContain('mkdir -p');
    expect(await readdir(dir)).toEqual([]);
  });

  it('fails when a parent is a file or the target is a directory', async () => {
    await writeFile(join(dir, 'file'), '');
    expect(isAppError(await rejection(prepareOutput(join(dir, 'file', 'out.mp4'))), 'OUTPUT_NOT_WRITABLE')).toBe(true);
    await mkdir(join(dir, 'out.mp4'));
    expect(isAppError(await rejection(prepareOutput(join(dir, 'out.mp4'))), 'OUTPUT_NOT_WRITABLE')).toBe(true);
    expect((await readdir(dir)).sort()).toEqual(['file', 'out.mp4']);
  });
});

describe('writeFileAtomic', () => {
  it('writes the whole content and leaves no temp file', async () => {
    const target = join(dir, 'poster.jpg');
    await writeFileAtomic(target, Buffer.from([1, 2, 3]));
    expect([...(await readFile(target))]).toEqual([1, 2, 3]);
    expect(await readdir(dir)).toEqual(['poster.jpg']);
  });

  it('fails with OUTPUT_NOT_WRITABLE for a missing directory', async () => {
    expect(isAppError(await rejection(writeFileAtomic(join(dir, 'nope', 'a.png'), 'x')), 'OUTPUT_NOT_WRITABLE')).toBe(true);
  });
});
