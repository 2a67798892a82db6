import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAppError } from '../../src/errors/index.js';
import type { ObjectStore } from '../../src/storage/index.js';

export interface ObjectStoreUnderTest {
  store: ObjectStore;
  cleanup(): Promise<void>;
}

/** Keys that must be refused by every store: traversal, encodings, odd characters. */
export const HOSTILE_KEYS: readonly string[] = [
  '', '/', '/etc/passwd', '..', '.', '../x', 'a/../../x', 'a/..', 'a/./b', './a', 'a//b', 'a/', '/a',
  '..\\x', 'a\\..\\..\\x', 'a\\b', 'a\0b', 'a/b\0', '%2e%2e/x', 'a/%2e%2e/%2e%2e/x', '..%2fx', '%2fetc',
  'a/%00', 'A/b', 'renders/X.mp4', '.hidden', 'a/.hidden', 'a/.x.meta.json', ' a', 'a b', 'a\nb', 'c:/x', 'c:\\x',
  'file:///etc/passwd', '~/x', 'a/\u2024\u2024/x', 'a/\uff0e\uff0e/x', `a/${'b'.repeat(300)}`, 'x'.repeat(2000),
];

/** Deterministic pseudo-random bytes, so two calls with one seed give equal content. */
export function bytes(size: number, seed = 1): Buffer {
  const out = Buffer.allocUnsafe(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export async function readAll(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

/** A stream that yields `data` in `chunk`-sized pieces, pausing `delayMs` before each. */
export function slowStream(data: Buffer, chunk: number, delayMs: number): Readable {
  return Readable.from((async function* () {
    for (let at = 0; at < data.length; at += chunk) {
      await sleep(delayMs);
      yield data.subarray(at, at + chunk);
    }
  })());
}

async function errorOf(work: () => unknown): Promise<unknown> {
  try {
    await work();
  } catch (err) {
    return err;
  }
  return undefined;
}

async function expectCode(work: () => unknown, code: string): Promise<unknown> {
  const err = await errorOf(work);
  expect(isAppError(err) ? err.code : err).toBe(code);
  return err;
}

/**
 * The ObjectStore contract as a vitest suite. Every implementation runs it:
 * `describeObjectStore('s3', makeStore)` (test/integration/storage/).
 */
export function describeObjectStore(name: string, makeStore: () => Promise<ObjectStoreUnderTest>): void {
  describe(`ObjectStore contract: ${name}`, () => {
    let under: ObjectStoreUnderTest;
    let store: ObjectStore;
    let scratch: string;

    beforeEach(async () => {
      under = await makeStore();
      store = under.store;
      scratch = await mkdtemp(join(tmpdir(), 'mc-store-suite-'));
    });
    afterEach(async () => {
      await under.cleanup();
      await rm(scratch, { recursive: true, force: true });
    });

    const get = async (key: string, range?: { start: number; end: number }) => {
      const got = await store.get(key, range);
      return got && { info: got.info, data: await readAll(got.body) };
    };

    it('puts from a stream and gets the same bytes, type and info back', async () => {
      const data = bytes(100_000);
      const put = await store.put('renders/a.mp4', Readable.from([data.subarray(0, 40_000), data.subarray(40_000)]), {
        contentType: 'video/mp4',
      });
      expect(put).toMatchObject({ key: 'renders/a.mp4', size: data.length, contentType: 'video/mp4' });
      expect(put.etag).toMatch(/^"[^"]+"$/);
      const got = await get('renders/a.mp4');
      expect(sha256(got!.data)).toBe(sha256(data));
      expect(got!.info).toMatchObject({ key: 'renders/a.mp4', size: data.length, contentType: 'video/mp4', etag: put.etag });
      const head = await store.head('renders/a.mp4');
      expect(head).toMatchObject({ key: 'renders/a.mp4', size: data.length, contentType: 'video/mp4', etag: put.etag });
      expect(head!.modifiedAt).toBeInstanceOf(Date);
    });

    it('puts from a local file', async () => {
      const data = bytes(50_000, 7);
      const file = join(scratch, 'out.jpg');
      await writeFile(file, data);
      const put = await store.put('posters/b.jpg', { file }, { contentType: 'image/jpeg' });
      expect(put.size).toBe(data.length);
      expect(existsSync(file), 'the put consumes the local file').toBe(false);
      const got = await get('posters/b.jpg');
      expect(got!.data.equals(data)).toBe(true);
      expect(got!.info.contentType).toBe('image/jpeg');
    });

    it('gives the same ETag for the same content and a different one for other content', async () => {
      const one = await store.put('e/one', Readable.from([bytes(5000, 3)]), { contentType: 'application/octet-stream' });
      const two = await store.put('e/two', Readable.from([bytes(5000, 3)]), { contentType: 'application/octet-stream' });
      const other = await store.put('e/three', Readable.from([bytes(5000, 4)]), { contentType: 'application/octet-stream' });
      const again = await store.put('e/one', Readable.from([bytes(5000, 3)]), { contentType: 'application/octet-stream' });
      expect(two.etag).toBe(one.etag);
      expect(again.etag).toBe(one.etag);
      expect(other.etag).not.toBe(one.etag);
      expect((await store.head('e/one'))!.etag).toBe(one.etag);
    });

    it('stores an empty object', async () => {
      await store.put('empty/x', Readable.from([]), { contentType: 'text/plain' });
      const got = await get('empty/x');
      expect(got!.info.size).toBe(0);
      expect(got!.data.length).toBe(0);
      await expectCode(() => store.get('empty/x', { start: 0, end: 0 }), 'INVALID_ARGUMENT');
    });

    it('serves inclusive byte ranges: first, last, middle, whole, clamped end', async () => {
      const data = bytes(1000, 9);
      await store.put('r/x.mp4', Readable.from([data]), { contentType: 'video/mp4' });
      const cases: [number, number, Buffer][] = [
        [0, 0, data.subarray(0, 1)],
        [999, 999, data.subarray(999)],
        [10, 19, data.subarray(10, 20)],
        [0, 999, data],
        [990, 5000, data.subarray(990)],
      ];
      for (const [start, end, expected] of cases) {
        const got = await get('r/x.mp4', { start, end });
        expect(got!.data.equals(expected), `${start}-${end}`).toBe(true);
        // info describes the whole object, so the caller can build Content-Range.
        expect(got!.info.size).toBe(1000);
      }
    });

    it('refuses unsatisfiable and malformed ranges with INVALID_ARGUMENT', async () => {
      await store.put('r/y', Readable.from([bytes(100)]), { contentType: 'application/octet-stream' });
      const past = await expectCode(() => store.get('r/y', { start: 100, end: 200 }), 'INVALID_ARGUMENT');
      expect(isAppError(past) && past.details.size).toBe(100);
      await expectCode(() => store.get('r/y', { start: 10, end: 5 }), 'INVALID_ARGUMENT');
      await expectCode(() => store.get('r/y', { start: -1, end: 5 }), 'INVALID_ARGUMENT');
      await expectCode(() => store.get('r/y', { start: 1.5, end: 5 }), 'INVALID_ARGUMENT');
      await expectCode(() => store.get('r/y', { start: Number.NaN, end: 5 }), 'INVALID_ARGUMENT');
    });

    it('answers missing keys with undefined / false', async () => {
      expect(await store.get('nope/x')).toBeUndefined();
      expect(await store.get('nope/x', { start: 0, end: 1 })).toBeUndefined();
      expect(await store.head('nope/x')).toBeUndefined();
      expect(await store.delete('nope/x')).toBe(false);
      expect(await store.deletePrefix('nope/')).toBe(0);
    });

    it('overwrites with the new bytes and content type', async () => {
      await store.put('o/x', Readable.from([bytes(3000, 1)]), { contentType: 'image/png' });
      const second = await store.put('o/x', Readable.from([bytes(1000, 2)]), { contentType: 'image/jpeg' });
      const got = await get('o/x');
      expect(got!.data.equals(bytes(1000, 2))).toBe(true);
      expect(got!.info).toMatchObject({ size: 1000, contentType: 'image/jpeg', etag: second.etag });
    });

    it('keeps ETag and bytes consistent when puts of one key race', async () => {
      const contents = [1, 2, 3, 4, 5].map((seed) => bytes(200_000 + seed, seed));
      const infos = await Promise.all(
        contents.map((data) => store.put('race/x', Readable.from([data]), { contentType: 'video/mp4' })),
      );
      const got = await get('race/x');
      const winner = infos.find((info) => info.size === got!.data.length)!;
      expect(contents.some((data) => data.equals(got!.data))).toBe(true);
      expect(got!.info.etag).toBe(winner.etag);
      expect((await store.head('race/x'))!.etag).toBe(winner.etag);
    });

    it('deletes one object and leaves the others', async () => {
      await store.put('d/a', Readable.from([bytes(10)]), { contentType: 'text/plain' });
      await store.put('d/b', Readable.from([bytes(10)]), { contentType: 'text/plain' });
      expect(await store.delete('d/a')).toBe(true);
      expect(await store.head('d/a')).toBeUndefined();
      expect(await store.get('d/a')).toBeUndefined();
      expect(await store.delete('d/a')).toBe(false);
      expect(await store.head('d/b')).toBeDefined();
    });

    it('deletes by prefix: a directory prefix, a partial name, nothing else', async () => {
      const keys = ['c/a1/x.mp4', 'c/a1/y.jpg', 'c/a1/deep/z', 'c/a2/x.mp4', 'c/a10/z', 'c/b/x', 'c-a1/x', 'renders/c.mp4'];
      for (const key of keys) await store.put(key, Readable.from([bytes(16)]), { contentType: 'text/plain' });
      expect(await store.deletePrefix('c/a1/')).toBe(3);
      expect(await store.head('c/a10/z')).toBeDefined();
      expect(await store.deletePrefix('c/a')).toBe(2);
      expect(await store.deletePrefix('c/a')).toBe(0);
      const left = await Promise.all(['c/b/x', 'c-a1/x', 'renders/c.mp4', 'c/a1/x.mp4', 'c/a2/x.mp4'].map((k) => store.head(k)));
      expect(left.map((info) => info !== undefined)).toEqual([true, true, true, false, false]);
    });

    it('refuses hostile keys everywhere with INVALID_KEY', async () => {
      for (const key of HOSTILE_KEYS) {
        const label = JSON.stringify(key.slice(0, 40));
        await expectCode(() => store.put(key, Readable.from([bytes(8)]), { contentType: 'text/plain' }), 'INVALID_KEY');
        await expectCode(() => store.get(key), 'INVALID_KEY');
        await expectCode(() => store.head(key), 'INVALID_KEY');
        await expectCode(() => store.delete(key), 'INVALID_KEY');
        if (store.localPath) await expectCode(() => store.localPath!(key), 'INVALID_KEY');
        // `a/` is a fine prefix (everything under a/), though not a key.
        if (key !== 'a/') {
          expect(await errorOf(() => store.deletePrefix(key)), label).toMatchObject({ code: 'INVALID_KEY' });
        }
      }
    });

    it('leaves no object behind when the source stream fails', async () => {
      const failing = Readable.from((async function* () {
        yield bytes(10_000);
        throw new Error('upstream broke');
      })());
      await expect(store.put('f/x', failing, { contentType: 'video/mp4' })).rejects.toThrow('upstream broke');
      expect(await store.head('f/x')).toBeUndefined();
      await store.put('f/y', Readable.from([bytes(100, 5)]), { contentType: 'video/mp4' });
      const again = Readable.from((async function* () {
        yield bytes(10_000);
        throw new Error('upstream broke');
      })());
      await expect(store.put('f/y', again, { contentType: 'video/mp4' })).rejects.toThrow('upstream broke');
      expect((await get('f/y'))!.data.equals(bytes(100, 5))).toBe(true);
    });

    describe('readers during a slow 20 MB put', () => {
      const big = bytes(20 * 1024 * 1024, 11);
      const bigHash = sha256(big);
      const old = bytes(300_000, 12);

      /** Polls head and get until `done`; every look must be `allowed`. Returns what was seen. */
      async function poll(key: string, done: () => boolean, allowed: (hash: string | undefined) => boolean) {
        const seen = new Set<string>();
        while (!done()) {
          const head = await store.head(key);
          const got = await get(key);
          const hash = got && sha256(got.data);
          expect(allowed(hash), 'a reader saw partial content').toBe(true);
          if (head) expect([big.length, old.length]).toContain(head.size);
          if (got) expect(got.info.size).toBe(got.data.length);
          seen.add(hash ?? 'missing');
          await sleep(5);
        }
        return seen;
      }

      it('sees the key missing or complete, never partial', async () => {
        let finished = false;
        const put = store.put('big/x.mp4', slowStream(big, 1024 * 1024, 15), { contentType: 'video/mp4' })
          .finally(() => { finished = true; });
        const seen = await poll('big/x.mp4', () => finished, (hash) => hash === undefined || hash === bigHash);
        await put;
        expect(seen.has('missing')).toBe(true);
        expect(sha256((await get('big/x.mp4'))!.data)).toBe(bigHash);
      });

      it('sees the old or the new object, never a mix, while it is overwritten', async () => {
        await store.put('big/y.mp4', Readable.from([old]), { contentType: 'video/mp4' });
        let finished = false;
        const put = store.put('big/y.mp4', slowStream(big, 1024 * 1024, 15), { contentType: 'video/mp4' })
          .finally(() => { finished = true; });
        const seen = await poll('big/y.mp4', () => finished, (hash) => hash === sha256(old) || hash === bigHash);
        await put;
        expect(seen.has(sha256(old))).toBe(true);
        expect((await store.head('big/y.mp4'))!.size).toBe(big.length);
      });
    });
  });
}
