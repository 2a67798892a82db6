import type { Redis } from 'ioredis';

/** One entry of a profile's version history. */
export interface ProfileHistoryEntry {
  version: number;
  /** When that version was written (ISO). */
  updatedAt: string;
}

/**
 * Versions a profile's history keeps (the newest ones): what the campaign
 * metrics need to tell which version was current when an event was shown,
 * and when each version appeared (data latency), for recent updates.
 */
export const PROFILE_HISTORY_LENGTH = 16;

/**
 * Reads a history list that upsertProfile keeps (newest first, entries
 * `<version>:<updatedAt ISO>`), oldest first. The profile store and the
 * connector cache each keep one.
 */
export async function readProfileHistory(redis: Redis, key: string): Promise<ProfileHistoryEntry[]> {
  const entries = await redis.lrange(key, 0, -1);
  // The ISO time holds `:` too: split at the first.
  return entries.map((entry) => ({ version: Number(entry.slice(0, entry.indexOf(':'))), updatedAt: entry.slice(entry.indexOf(':') + 1) })).reverse();
}
