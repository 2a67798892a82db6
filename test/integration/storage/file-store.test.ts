import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/errors/index.js';
import { createFileStore, type FileStore } from '../../../src/storage/index.js';
import { bytes, describeObjectStore, HOSTILE_KEYS, readAll, sha256, slowStream } from '../../helpers/object-store-suite.js';

describeObjectStore('file store', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mc-file-store-'));
  return { store: createFileStore({ root: join(dir, 'root') }), cleanup: () => rm(dir, { recursive: true, force: true }) };
});

/** Every file and directory below `dir`, relative, symlinks not followed. */
async function listTree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.map((entry) => relative(dir, join(entry.parentPath, entry.name))).sort();
}

async function codeOf(work: () => unknown): Promise<unknown> {
  try {
    await work();
  } catch (err) {
    return isAppError(err) ? err.code : err;
  }
  return 'resolved';
}

describe('file store specifics', () => {
  let sandbox: string;
  let root: string;
  let outside: string;
  let store: FileStore;

  beforeEach(async () => {
    sandbox = await mkdtemp(join(tmpdir(), 'mc-file-store-x-'));
    root = join(sandbox, 'root');
    outside = join(sandbox, 'outside');
    await mkdir(outside);
    await writeFile(join(outside, 'secret'), 'secret');
    store = createFileStore({ root });
  });
  afterEach(async () => {
    await rm(sandbox, { recursive: true, force: true });
  });

  it('keeps temp files hidden while writing and removes them after', async () => {
    const data = bytes(4 * 1024 * 1024, 2);
    const put = store.put('renders/x.mp4', slowStream(data, 256 * 1024, 10), { contentType: 'video/mp4' });
    let names: string[] = [];
    for (let i = 0; i < 100 && !names.some((n) => n.endsWith('.partial')); i++) {
      await new Promise((r) => setTimeout(r, 5));
      names = existsSync(join(root, 'renders')) ? await readdir(join(root, 'renders')) : [];
    }
    expect(names.filter((n) => !n.startsWith('.'))).toEqual([]);
    expect(names.some((n) => /^\.x\.mp4\.[0-9a-f]+\.partial$/.test(n))).toBe(true);
    expect(await store.head('renders/x.mp4')).toBeUndefined();
    await put;
    expect((await readdir(join(root, 'renders'))).sort()).toEqual(['.x.mp4.meta.json', 'x.mp4']);
    expect(await codeOf(() => store.head('renders/.x.mp4.meta.json'))).toBe('INVALID_KEY');
  });

  it('leaves no temp file when the source stream fails', async () => {
    const failing = Readable.from((async function* () {
      yield bytes(1000);
      throw new Error('boom');
    })());
    await expect(store.put('renders/y.mp4', failing, { contentType: 'video/mp4' })).rejects.toThrow('boom');
    expect(await readdir(join(root, 'renders'))).toEqual([]);
  });

  it('writes nothing outside the root whatever the key', async () => {
    const before = await listTree(sandbox);
    for (const key of HOSTILE_KEYS) {
      expect(await codeOf(() => store.put(key, Readable.from([bytes(8)]), { contentType: 'text/plain' }))).toBe('INVALID_KEY');
      expect(await codeOf(() => store.deletePrefix(key === 'a/' ? '../' : key))).toBe('INVALID_KEY');
    }
    const after = await listTree(sandbox);
    expect(after.filter((path) => !path.startsWith('root'))).toEqual(before.filter((path) => !path.startsWith('root')));
    expect(await readFile(join(outside, 'secret'), 'utf8')).toBe('secret');
  });

  it('refuses to go through a symlink planted in the root', async () => {
    await mkdir(root, { recursive: true });
    await symlink(outside, join(root, 'evil'));
    await symlink(join(outside, 'secret'), join(root, 'link'));
    expect(await codeOf(() => store.put('evil/x', Readable.from([bytes(8)]), { contentType: 'text/plain' }))).toBe('INVALID_KEY');
    expect(await codeOf(() => store.put('evil/sub/x', Readable.from([bytes(8)]), { contentType: 'text/plain' }))).toBe('INVALID_KEY');
    expect(await codeOf(() => store.get('evil/secret'))).toBe('INVALID_KEY');
    expect(await codeOf(() => store.head('evil/secret'))).toBe('INVALID_KEY');
    expect(await codeOf(() => store.delete('evil/secret'))).toBe('INVALID_KEY');
    expect(await codeOf(() => store.deletePrefix('evil/'))).toBe('INVALID_KEY');
    expect(await codeOf(() => store.get('link'))).toBe('INVALID_KEY');
    expect(await store.deletePrefix('e')).toBe(0);
    expect(await store.deletePrefix('l')).toBe(0);
    expect(await readdir(outside)).toEqual(['secret']);
  });

  it('moves a file in on the same file system (no copy) and consumes it', async () => {
    const file = join(sandbox, 'render.mp4');
    await writeFile(file, bytes(100_000, 3));
    const { ino } = await stat(file);
    await store.put('renders/m.mp4', { file }, { contentType: 'video/mp4' });
    expect(existsSync(file)).toBe(false);
    expect((await stat(store.localPath('renders/m.mp4'))).ino).toBe(ino);
  });

  const shm = '/dev/shm';
  // /dev/shm is a tmpfs on most Linux hosts: a real second file system for the EXDEV path.
  const crossDevice = existsSync(shm) && statSync(shm).dev !== statSync(tmpdir()).dev;

  it.skipIf(!crossDevice)('copies a file from another file system, then removes the source', async () => {
    const other = await mkdtemp(join(shm, 'mc-store-'));
    try {
      const file = join(other, 'render.mp4');
      await writeFile(file, bytes(100_000, 4));
      await store.put('renders/c.mp4', { file }, { contentType: 'video/mp4' });
      expect(existsSync(file)).toBe(false);
      expect((await readFile(store.localPath('renders/c.mp4'))).equals(bytes(100_000, 4))).toBe(true);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('rebuilds a lost or stale sidecar from the content: the ETag stays the content hash', async () => {
    const put = await store.put('renders/s.mp4', Readable.from([bytes(5000, 5)]), { contentType: 'video/mp4' });
    expect(put.etag).toBe(`"${sha256(bytes(5000, 5))}"`);
    const metaPath = join(root, 'renders', '.s.mp4.meta.json');
    const meta = await readFile(metaPath, 'utf8');
    await unlink(metaPath);
    expect(await store.head('renders/s.mp4')).toMatchObject({ etag: put.etag, contentType: 'application/octet-stream' });
    expect(existsSync(metaPath)).toBe(true);
    // A sidecar from other bytes (a crash between the two renames) is not trusted.
    await writeFile(metaPath, meta.replace(/"sha256":"[0-9a-f]+"/, `"sha256":"${'0'.repeat(64)}"`).replace(/"ino":\d+/, '"ino":1'));
    expect((await store.head('renders/s.mp4'))!.etag).toBe(put.etag);
  });

  it('keeps streaming the old bytes to a reader when the key is overwritten', async () => {
    const old = bytes(3 * 1024 * 1024, 6);
    await store.put('renders/o.mp4', Readable.from([old]), { contentType: 'video/mp4' });
    const reading = await store.get('renders/o.mp4');
    await store.put('renders/o.mp4', Readable.from([bytes(1000, 7)]), { contentType: 'video/mp4' });
    expect(sha256(await readAll(reading!.body))).toBe(sha256(old));
    expect((await store.head('renders/o.mp4'))!.size).toBe(1000);
  });

  it('removes the directories deletePrefix emptied, and the sidecars', async () => {
    await store.put('campaigns/c1/a.mp4', Readable.from([bytes(10)]), { contentType: 'video/mp4' });
    await store.put('campaigns/c1/sub/b.mp4', Readable.from([bytes(10)]), { contentType: 'video/mp4' });
    await store.put('campaigns/c2/a.mp4', Readable.from([bytes(10)]), { contentType: 'video/mp4' });
    expect(await store.deletePrefix('campaigns/c1/')).toBe(2);
    expect(await listTree(join(root, 'campaigns'))).toEqual(['c2', 'c2/.a.mp4.meta.json', 'c2/a.mp4']);
  });

  it('refuses a key below an existing object, and a key that is a directory', async () => {
    await store.put('a/b', Readable.from([bytes(10)]), { contentType: 'text/plain' });
    expect(await codeOf(() => store.put('a/b/c', Readable.from([bytes(10)]), { contentType: 'text/plain' }))).toBe('INVALID_KEY');
    expect(await codeOf(() => store.put('a', Readable.from([bytes(10)]), { contentType: 'text/plain' }))).toBe('INVALID_KEY');
    expect(await store.head('a')).toBeUndefined();
    expect(await store.delete('a')).toBe(false);
    expect((await store.head('a/b'))!.size).toBe(10);
    expect(await readdir(join(root, 'a'))).toEqual(['.b.meta.json', 'b']);
  });
});
