/** Counters of a frame cache, for stats and tests. */
export interface FrameCacheStats {
  entries: number;
  bytes: number;
  maxBytes: number;
  evictions: number;
}

/**
 * Decoded frames kept in memory, least recently used first out once their
 * bytes exceed `maxBytes`. One per worker process: every render of the
 * process (every recipient) shares it, so the same footage is decoded once.
 */
export class FrameCache {
  private readonly entries = new Map<string, Buffer>();
  private bytes = 0;
  private evictions = 0;

  constructor(readonly maxBytes: number) {
    if (!(Number.isInteger(maxBytes) && maxBytes >= 0)) throw new RangeError(`maxBytes must be an integer >= 0, got ${maxBytes}`);
  }

  get(key: string): Buffer | undefined {
    const value = this.entries.get(key);
    if (value) {
      // Map order is insertion order: re-inserting marks it most recently used.
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  /** Stores a frame; one larger than the whole budget is not kept at all. */
  set(key: string, value: Buffer): void {
    const old = this.entries.get(key);
    if (old) {
      this.entries.delete(key);
      this.bytes -= old.length;
    }
    if (value.length > this.maxBytes) return;
    this.entries.set(key, value);
    this.bytes += value.length;
    for (const [oldest, buffer] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= buffer.length;
      this.evictions += 1;
    }
  }

  stats(): FrameCacheStats {
    return { entries: this.entries.size, bytes: this.bytes, maxBytes: this.maxBytes, evictions: this.evictions };
  }
}
