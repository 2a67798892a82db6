import { AppError } from '../errors/index.js';
import { assertObjectPrefix } from './object-key.js';

/** Byte budget and retention of a file store; all optional. */
export interface StoreLifecycleOptions {
  /** Byte budget for object data; sweep evicts the least recently used objects above it. 0 or absent: no budget. */
  maxBytes?: number;
  /**
   * Objects older than this since they were stored are deleted by sweep
   * (personalized outputs must not live forever). Default 30 days; 0 disables.
   */
  ttlSeconds?: number;
  /** Only keys under these prefixes expire (default: every key). */
  ttlPrefixes?: readonly string[];
  /**
   * Keys under these prefixes are never evicted for the byte budget: they are
   * records, not cache (a campaign's manifest parts cannot be made again).
   * The TTL still applies to them. Default: none.
   */
  keepPrefixes?: readonly string[];
  /** Temp files of puts untouched this long belong to a killed writer and are removed (default 1 h). */
  tempMaxAgeSeconds?: number;
  /** An object used this recently is never evicted, even over budget (default 60 s). */
  evictionGraceSeconds?: number;
  /** Recency is recorded at most this often per object and process (default 60 s): a hot object costs one utimes a minute. */
  touchIntervalSeconds?: number;
  /** Clock in ms since the epoch (tests); default Date.now. */
  now?: () => number;
}

export interface StoreLifecycle {
  maxBytes: number;
  ttlMs: number;
  ttlPrefixes: readonly string[] | undefined;
  keepPrefixes: readonly string[];
  tempMaxAgeMs: number;
  graceMs: number;
  touchIntervalMs: number;
  now: () => number;
}

/** What one sweep did. */
export interface SweepResult {
  /** Objects removed because they were past the TTL. */
  expired: number;
  /** Objects removed, least recently used first, to get under the byte budget. */
  evicted: number;
  /** Bytes of object data freed by expiry and eviction (temp files not included). */
  bytesFreed: number;
  /** Stale temp and orphan sidecar files removed. */
  tempFilesRemoved: number;
  /** Bytes of object data left in the store. */
  bytesStored: number;
}

export interface SweepOptions {
  /**
   * Called after each object is removed, e.g. to drop its output-index entry
   * so the next request renders it again. An error thrown here stops the sweep.
   */
  onRemoved?(key: string, reason: 'expired' | 'evicted'): void | Promise<void>;
}

export const DEFAULT_TTL_SECONDS = 30 * 24 * 3600;

function seconds(field: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback * 1000;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new AppError('CONFIG_INVALID', `File store option ${field} must be a number >= 0`, { details: { field } });
  }
  return value * 1000;
}

/** Validates the lifecycle options once and fills in the defaults. Throws AppError('CONFIG_INVALID'). */
export function resolveStoreLifecycle(options: StoreLifecycleOptions): StoreLifecycle {
  const maxBytes = options.maxBytes ?? 0;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
    throw new AppError('CONFIG_INVALID', 'File store option maxBytes must be an integer >= 0', { details: { field: 'maxBytes' } });
  }
  for (const field of ['ttlPrefixes', 'keepPrefixes'] as const) {
    for (const prefix of options[field] ?? []) {
      try {
        assertObjectPrefix(prefix);
      } catch (err) {
        throw new AppError('CONFIG_INVALID', `File store option ${field} holds an invalid prefix`, { cause: err, details: { field } });
      }
    }
  }
  return {
    maxBytes,
    ttlMs: seconds('ttlSeconds', options.ttlSeconds, DEFAULT_TTL_SECONDS),
    ttlPrefixes: options.ttlPrefixes,
    keepPrefixes: options.keepPrefixes ?? [],
    tempMaxAgeMs: seconds('tempMaxAgeSeconds', options.tempMaxAgeSeconds, 3600),
    graceMs: seconds('evictionGraceSeconds', options.evictionGraceSeconds, 60),
    touchIntervalMs: seconds('touchIntervalSeconds', options.touchIntervalSeconds, 60),
    now: options.now ?? Date.now,
  };
}
