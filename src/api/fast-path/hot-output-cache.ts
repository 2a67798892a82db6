import type { Readable } from 'node:stream';
import type { ObjectInfo, ObjectStore } from '../../storage/index.js';
import type { HotGrant } from './hot-admission.js';

/** Same value as `sendObject` sends: outputs are named by the hash of their inputs. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

export interface HotOutputCacheOptions {
  /**
   * How long an admitted path is answered from memory before the full route
   * checks it again (token, erasure, index, store). This bounds how long an
   * erased, evicted or expired output can still be served. Default 1000 ms.
   */
  memoMs?: number;
  /** Larger objects are never held in memory (Express streams them). Default 1 MiB. */
  maxFileBytes?: number;
  /** Bytes held in memory at most, least recently admitted dropped first. Default 64 MiB. */
  maxTotalBytes?: number;
  /** Paths remembered at most. Default 10 000. */
  maxPaths?: number;
}

/** A small stored object held in memory with its response headers worked out once. */
export interface HotObject {
  etag: string;
  size: number;
  contentType: string;
  body: Buffer;
  /** Headers every answer carries (ETag, Cache-Control, Accept-Ranges, Last-Modified), as a flat list for writeHead. */
  common: readonly string[];
  /** `common` plus Content-Type and the full Content-Length: the headers of a 200. */
  full: readonly string[];
}

export interface HotOutputCacheStats {
  paths: number;
  objects: number;
  bytes: number;
  hits: number;
  loads: number;
}

interface PathEntry {
  storageKey: string;
  etag: string;
  /** Never answered from memory from this time on. */
  until: number;
  /** From this time on, the next request goes through the route to renew the entry (once). */
  refreshAt: number;
  /** True once that request was sent. */
  refreshing: boolean;
}

/** Share of the memo after which a path is re-checked ahead of its expiry. */
const REFRESH_AT = 0.5;

interface HeldObject {
  object: HotObject;
  /** The latest `until` of a path that points to it; dropped one memo period after. */
  until: number;
}

/**
 * The memory behind the fast path: which request paths were vouched for by
 * their full route in the last `memoMs` (path -> stored object), and the
 * bytes of those objects (an LRU bounded in bytes). A path only gets in
 * through `admit`, i.e. after the real route served it; nothing here ever
 * decides that a token or a key is valid. Objects no path was admitted to
 * for a memo period are dropped (on a timer too, so without any traffic),
 * so erased bytes leave memory within about three memo periods. `close`
 * stops the timer.
 */
export function createHotOutputCache(deps: { store: Pick<ObjectStore, 'get'> }, options: HotOutputCacheOptions = {}) {
  const memoMs = options.memoMs ?? 1_000;
  const maxFileBytes = options.maxFileBytes ?? 1024 * 1024;
  const maxTotalBytes = Math.max(options.maxTotalBytes ?? 64 * 1024 * 1024, maxFileBytes);
  const maxPaths = options.maxPaths ?? 10_000;
  const paths = new Map<string, PathEntry>();
  const objects = new Map<string, HeldObject>();
  const loading = new Set<string>();
  let bytes = 0;
  let hits = 0;
  let loads = 0;
  let prunedAt = 0;
  /** Bumped by `clear`: an admission granted by a request that began before it is refused. */
  let generation = 0;

  const drop = (storageKey: string) => {
    const held = objects.get(storageKey);
    if (!held) return;
    objects.delete(storageKey);
    bytes -= held.object.size;
  };

  const clear = () => {
    generation++;
    paths.clear();
    objects.clear();
    bytes = 0;
  };

  const prune = (now: number) => {
    if (now - prunedAt < memoMs) return;
    prunedAt = now;
    for (const [path, entry] of paths) if (entry.until <= now) paths.delete(path);
    for (const [storageKey, held] of objects) if (held.until + memoMs <= now) drop(storageKey);
  };

  const hold = (storageKey: string, object: HotObject, until: number) => {
    drop(storageKey);
    objects.set(storageKey, { object, until });
    bytes += object.size;
    // Map order is insertion order: the first key is the least recently admitted.
    while (bytes > maxTotalBytes) drop(objects.keys().next().value!);
  };

  async function load(storageKey: string, info: ObjectInfo, until: number): Promise<void> {
    if (loading.has(storageKey)) return;
    loading.add(storageKey);
    try {
      const since = generation;
      const got = await deps.store.get(storageKey);
      if (!got) return;
      const body = await readAll(got.body, info.size);
      // Only the exact object the route checked: another version under the key waits for its own admission.
      // Nor bytes read across a clear (an erasure may have removed them meanwhile).
      if (!body || got.info.etag !== info.etag || since !== generation) return;
      loads++;
      hold(storageKey, hotObject(got.info, body), until);
    } catch {
      // Memory is only a shortcut: the route keeps serving, and the next admission tries again.
    } finally {
      loading.delete(storageKey);
    }
  }

  // Memory is also given back when no request comes (an erased recipient's bytes must not stay); unref: never keeps a process up.
  const timer = setInterval(() => prune(Date.now()), memoMs);
  timer.unref();

  return {
    /**
     * The object to answer `path` with from memory, or undefined (then the
     * full route runs). In the second half of its memo, one request is sent
     * to the route, whose admission renews the path: a busy path stays hot
     * without a herd of requests reaching the route at each expiry, and it
     * is still never answered from memory past `until`. (If that request
     * does not renew it, the path simply expires.)
     */
    find(path: string): HotObject | undefined {
      const entry = paths.get(path);
      const now = Date.now();
      if (!entry || entry.until <= now) {
        if (entry) paths.delete(path);
        // Misses are where memory is given back (at most once per memo period).
        prune(now);
        return undefined;
      }
      if (!entry.refreshing && now >= entry.refreshAt) {
        entry.refreshing = true;
        return undefined;
      }
      const held = objects.get(entry.storageKey);
      if (!held || held.object.etag !== entry.etag) return undefined;
      hits++;
      return held.object;
    },

    /** The current generation: pass it to `admit` from when the request that will admit began. */
    generation: () => generation,

    /**
     * Lets `path` be answered from memory for one memo period (see HotGrant);
     * starts loading the bytes if needed. Ignored when the cache was cleared
     * (an erasure) since `since`, the generation when the admitting request began.
     */
    admit(path: string, grant: HotGrant, since = generation): void {
      if (since !== generation) return;
      const now = Date.now();
      const until = Math.min(now + memoMs, grant.notAfterMs ?? Number.POSITIVE_INFINITY);
      if (until <= now || grant.info.size > maxFileBytes) return;
      if (!paths.has(path) && paths.size >= maxPaths) paths.delete(paths.keys().next().value!);
      const refreshAt = Math.min(now + memoMs * REFRESH_AT, until);
      paths.set(path, { storageKey: grant.storageKey, etag: grant.info.etag, until, refreshAt, refreshing: false });
      const held = objects.get(grant.storageKey);
      if (held && held.object.etag === grant.info.etag) {
        held.until = Math.max(held.until, until);
        // Re-inserted: now the most recently admitted.
        objects.delete(grant.storageKey);
        objects.set(grant.storageKey, held);
      } else void load(grant.storageKey, grant.info, until);
      prune(now);
    },

    /** Forgets every path and object (an erasure in any API process). */
    clear,

    /** Stops the prune timer and forgets everything. */
    close(): void {
      clearInterval(timer);
      clear();
    },

    stats(): HotOutputCacheStats {
      return { paths: paths.size, objects: objects.size, bytes, hits, loads };
    },
  };
}

export type HotOutputCache = ReturnType<typeof createHotOutputCache>;

/** Reads a body of known size; undefined when it is not exactly that size. */
async function readAll(body: Readable, size: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > size) {
      body.destroy();
      return undefined;
    }
    chunks.push(chunk);
  }
  return total === size ? Buffer.concat(chunks, total) : undefined;
}

function hotObject(info: ObjectInfo, body: Buffer): HotObject {
  const common = ['ETag', info.etag, 'Cache-Control', IMMUTABLE, 'Accept-Ranges', 'bytes', 'Last-Modified', info.modifiedAt.toUTCString()];
  return {
    etag: info.etag,
    size: info.size,
    contentType: info.contentType,
    body,
    common,
    full: [...common, 'Content-Type', info.contentType, 'Content-Length', String(info.size)],
  };
}
