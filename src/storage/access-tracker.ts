import { utimes } from 'node:fs/promises';

/** Bounds the per-process memory of the debounce; clearing it only costs a few extra utimes. */
const MAX_REMEMBERED = 50_000;

/**
 * Records when objects were last used, for LRU eviction, as the mtime of their
 * sidecar. Why there:
 * - atime is unreliable: relatime (the Linux default) updates it at most once
 *   a day, noatime never, and the API reads through its own file handle;
 * - the data file's mtime is part of the sidecar's identity check (a changed
 *   mtime means "other bytes"), so it must not be touched;
 * - a sidecar's own times mean nothing else, every process sharing the store
 *   sees them, and they survive restarts.
 * Each process writes at most once per `intervalMs` per object.
 */
export interface AccessTracker {
  /** Marks the object whose sidecar is `metaPath` as used now; `force` skips the debounce (a put). */
  touch(metaPath: string, force?: boolean): Promise<void>;
}

export function createAccessTracker(now: () => number, intervalMs: number): AccessTracker {
  const lastTouched = new Map<string, number>();
  return {
    async touch(metaPath: string, force = false): Promise<void> {
      const at = now();
      const previous = lastTouched.get(metaPath);
      if (!force && previous !== undefined && at - previous < intervalMs && at >= previous) return;
      if (lastTouched.size >= MAX_REMEMBERED) lastTouched.clear();
      lastTouched.set(metaPath, at);
      const when = new Date(at);
      // A sidecar deleted or replaced meanwhile needs no recency.
      await utimes(metaPath, when, when).catch(() => {});
    },
  };
}
