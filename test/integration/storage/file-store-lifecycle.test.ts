import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, open, readdir, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileStore, type FileStoreOptions } from '../../../src/storage/index.js';
import { bytes, readAll, sha256, slowStream } from '../../helpers/object-store-suite.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

describe('file store lifecycle: byte budget, TTL, leftovers', () => {
  let sandbox: string;
  let root: string;
  /** The stores' clock: tests move it forward instead of sleeping. */
  let clock: number;

  const storeWith = (options: Omit<FileStoreOptions, 'root'> = {}) => createFileStore({ root, now: () => clock, ...options });
  const put = (store: ReturnType<typeof storeWith>, key: string, size: number, seed = 1) =>
    store.put(key, Readable.from([bytes(size, seed)]), { contentType: 'video/mp4' });

  beforeEach(async () => {
    sandbox = await mkdtemp(join(tmpdir(), 'mc-lifecycle-'));
    root = join(sandbox, 'root');
    clock = Date.now();
  });
  afterEach(async () => {
    await rm(sandbox, { recursive: true, force: true });
  });

  it('evicts the least recently used objects first, down to the byte budget', async () => {
    const store = storeWith({ maxBytes: 2500 });
    await put(store, 'renders/a.mp4', 1000, 1);
    clock += 5 * MINUTE;
    await put(store, 'renders/b.mp4', 1000, 2);
    clock += 5 * MINUTE;
    await put(store, 'renders/c.mp4', 1000, 3);
    clock += 5 * MINUTE;
    // a is the oldest put but the most recently read.
    await readAll((await store.get('renders/a.mp4'))!.body);
    clock += 5 * MINUTE;
    const removed: string[] = [];
    const result = await store.sweep({ onRemoved: (key, reason) => void removed.push(`${reason} ${key}`) });
    expect(result).toEqual({ expired: 0, evicted: 1, bytesFreed: 1000, tempFilesRemoved: 0, bytesStored: 2000 });
    expect(removed).toEqual(['evicted renders/b.mp4']);
    expect(await store.head('renders/b.mp4')).toBeUndefined();
    expect(existsSync(join(root, 'renders', '.b.mp4.meta.json'))).toBe(false);

    // A head is a use too (the API heads, then reads the local path itself).
    clock += 5 * MINUTE;
    await store.head('renders/c.mp4');
    clock += 5 * MINUTE;
    const tighter = storeWith({ maxBytes: 1000 });
    expect(await tighter.sweep()).toMatchObject({ evicted: 1, bytesFreed: 1000, bytesStored: 1000 });
    expect(await tighter.head('renders/a.mp4')).toBeUndefined();
    expect((await tighter.head('renders/c.mp4'))!.size).toBe(1000);
  });

  it('never evicts keys under keepPrefixes for the budget (records, not cache), but still expires them', async () => {
    const store = storeWith({ maxBytes: 1500, keepPrefixes: ['campaigns/'], ttlSeconds: 3600 });
    await put(store, 'campaigns/cmp_x/manifest/00000000-aa.txt', 1000, 1);
    clock += 5 * MINUTE;
    await put(store, 'renders/b.mp4', 1000, 2);
    clock += 5 * MINUTE;
    // The manifest part is the least recently used, yet the render goes.
    expect(await store.sweep()).toMatchObject({ evicted: 1, bytesStored: 1000 });
    expect(await store.head('campaigns/cmp_x/manifest/00000000-aa.txt')).toBeDefined();
    expect(await store.head('renders/b.mp4')).toBeUndefined();
    clock += 2 * 3600_000;
    expect(await store.sweep()).toMatchObject({ expired: 1, bytesStored: 0 });
    expect(() => storeWith({ keepPrefixes: ['../x'] })).toThrow(/keepPrefixes/);
  });

  it('records a use at most once per interval per object (one utimes, not one per request)', async () => {
    const store = storeWith({ touchIntervalSeconds: 60 });
    await put(store, 'renders/a.mp4', 10);
    // utimes goes through floating-point seconds: compare to the millisecond.
    const usedAt = async () => Math.round((await stat(join(root, 'renders', '.a.mp4.meta.json'))).mtimeMs);
    const putAt = clock;
    expect(await usedAt()).toBe(putAt);
    clock += 10_000;
    await store.head('renders/a.mp4');
    expect(await usedAt()).toBe(putAt);
    clock += 2 * MINUTE;
    await store.head('renders/a.mp4');
    expect(await usedAt()).toBe(clock);
  });

  it('never evicts an object used within the grace period, even over budget', async () => {
    const store = storeWith({ maxBytes: 500, evictionGraceSeconds: 60 });
    await put(store, 'renders/fresh.mp4', 1000);
    expect(await store.sweep()).toMatchObject({ evicted: 0, bytesStored: 1000 });
    clock += 2 * MINUTE;
    expect(await store.sweep()).toMatchObject({ evicted: 1, bytesStored: 0 });
    // The directory the sweep emptied goes too; the root stays.
    expect(await readdir(root)).toEqual([]);
  });

  it('expires objects older than the TTL since they were stored, however recently used', async () => {
    const store = storeWith();
    await put(store, 'renders/old.mp4', 100);
    clock += 10 * DAY;
    // A file moved in keeps its bytes but not its age: it is stored now.
    const file = join(sandbox, 'render.mp4');
    await writeFile(file, bytes(200));
    await utimes(file, new Date('2001-01-01'), new Date('2001-01-01'));
    await store.put('renders/moved.mp4', { file }, { contentType: 'video/mp4' });
    clock += 21 * DAY;
    await store.head('renders/old.mp4');
    const removed: string[] = [];
    const result = await store.sweep({ onRemoved: (key, reason) => void removed.push(`${reason} ${key}`) });
    expect(result).toEqual({ expired: 1, evicted: 0, bytesFreed: 100, tempFilesRemoved: 0, bytesStored: 200 });
    expect(removed).toEqual(['expired renders/old.mp4']);
    expect((await store.head('renders/moved.mp4'))!.size).toBe(200);
    clock += 10 * DAY;
    expect(await store.sweep()).toMatchObject({ expired: 1, bytesStored: 0 });
  });

  it('limits the TTL to ttlPrefixes, and ttlSeconds 0 turns it off', async () => {
    const scoped = storeWith({ ttlPrefixes: ['renders/'] });
    await put(scoped, 'renders/x.mp4', 10);
    await put(scoped, 'templates/t.js', 10);
    clock += 40 * DAY;
    expect(await storeWith({ ttlSeconds: 0 }).sweep()).toMatchObject({ expired: 0, bytesStored: 20 });
    expect(await scoped.sweep()).toMatchObject({ expired: 1, bytesStored: 10 });
    expect(await scoped.head('templates/t.js')).toBeDefined();
  });

  it("removes a killed writer's temp file and orphan sidecars, but not a put in progress", async () => {
    // Real time here: a temp file's age comes from its ctime, which no test can set back.
    const store = createFileStore({ root, tempMaxAgeSeconds: 1, maxBytes: 1, evictionGraceSeconds: 0 });
    await mkdir(join(root, 'renders'), { recursive: true });
    const dead = join(root, 'renders', '.x.mp4.0123456789ab.partial');
    const orphan = join(root, 'renders', '.gone.mp4.meta.json');
    await writeFile(dead, bytes(5000));
    await writeFile(orphan, '{}');
    await sleep(1500);
    const data = bytes(3 * 1024 * 1024, 4);
    const putting = store.put('renders/y.mp4', slowStream(data, 64 * 1024, 10), { contentType: 'video/mp4' });
    let names: string[] = [];
    while (!names.some((name) => name.startsWith('.y.mp4.'))) {
      await sleep(5);
      names = await readdir(join(root, 'renders'));
    }
    expect(await store.sweep()).toMatchObject({ tempFilesRemoved: 2, evicted: 0, expired: 0 });
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(orphan)).toBe(false);
    await putting;
    expect(sha256(await readAll((await store.get('renders/y.mp4'))!.body))).toBe(sha256(data));
  });

  it('lets a reader that has the file open finish reading an evicted object', async () => {
    const store = storeWith({ maxBytes: 1 });
    const data = bytes(4 * 1024 * 1024, 9);
    await store.put('renders/big.mp4', Readable.from([data]), { contentType: 'video/mp4' });
    const reading = await store.get('renders/big.mp4');
    // The API's fast path: its own handle on the local path.
    const handle = await open(store.localPath('renders/big.mp4'), 'r');
    clock += 10 * MINUTE;
    expect(await store.sweep()).toMatchObject({ evicted: 1, bytesFreed: data.length });
    expect(await store.head('renders/big.mp4')).toBeUndefined();
    expect(sha256(await readAll(reading!.body))).toBe(sha256(data));
    expect(sha256(await readAll(handle.createReadStream()))).toBe(sha256(data));
  });

  it('shares one pass between overlapping sweeps', async () => {
    const store = storeWith({ maxBytes: 10 });
    await put(store, 'a/x', 100);
    clock += 10 * MINUTE;
    const [one, two] = await Promise.all([store.sweep(), store.sweep()]);
    expect(one).toBe(two);
    expect(one.evicted).toBe(1);
  });

  it('leaves files the store did not write, and symlinks, alone', async () => {
    const store = storeWith({ maxBytes: 1 });
    await mkdir(join(root, 'renders'), { recursive: true });
    await writeFile(join(root, 'README.TXT'), 'not an object');
    await writeFile(join(sandbox, 'outside'), bytes(100));
    await symlink(join(sandbox, 'outside'), join(root, 'renders', 'link.mp4'));
    clock += 40 * DAY;
    expect(await store.sweep()).toMatchObject({ evicted: 0, expired: 0, bytesStored: 0 });
    expect((await readdir(root)).sort()).toEqual(['README.TXT', 'renders']);
    expect(existsSync(join(sandbox, 'outside'))).toBe(true);
  });

  it('refuses invalid lifecycle options with CONFIG_INVALID', () => {
    for (const bad of [{ maxBytes: -1 }, { maxBytes: 1.5 }, { ttlSeconds: -1 }, { tempMaxAgeSeconds: Number.NaN }, { ttlPrefixes: ['../x'] }]) {
      expect(() => storeWith(bad), JSON.stringify(bad)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    }
  });
});
