import type { Redis } from 'ioredis';
import { EVENTS_STREAM_KEY } from '../engagement-keys.js';
import { engagementEventSchema, type EngagementEvent } from '../engagement-event.schema.js';

/** Field of a stream entry that holds the event JSON (written by ingestion). */
export const EVENT_STREAM_FIELD = 'e';

type StreamEntry = [id: string, fields: string[]];

function eventOf([, fields]: StreamEntry): EngagementEvent | null {
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] !== EVENT_STREAM_FIELD) continue;
    try {
      const parsed = engagementEventSchema.safeParse(JSON.parse(fields[i + 1]!));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }
  return null;
}

export interface StreamReadOptions {
  /** Default `{mastercut}:events`. */
  streamKey?: string;
  /** Entries read per round trip. Default 1000. */
  pageSize?: number;
}

/**
 * Events stored between two arrival times (epoch ms, inclusive), oldest
 * first, by stream id: ids are arrival times, so the range is read
 * directly, never scanned. Calls `onEvent` until it returns false.
 */
export async function readEventsByArrival(
  redis: Redis,
  fromMs: number,
  toMs: number,
  onEvent: (event: EngagementEvent) => boolean,
  options: StreamReadOptions = {},
): Promise<void> {
  const key = options.streamKey ?? EVENTS_STREAM_KEY;
  const page = options.pageSize ?? 1000;
  let start = `${Math.max(0, Math.floor(fromMs))}-0`;
  const end = String(Math.floor(toMs));
  for (;;) {
    const entries = (await redis.xrange(key, start, end, 'COUNT', page)) as StreamEntry[];
    for (const entry of entries) {
      const event = eventOf(entry);
      if (event && !onEvent(event)) return;
    }
    if (entries.length < page) return;
    start = `(${entries[entries.length - 1]![0]}`;
  }
}

/**
 * Finds events by id, newest first, reading at most `maxScan` entries back
 * from the end of the stream (the stream is capped, so old events may be
 * gone). Returns what it found.
 */
export async function findEventsById(redis: Redis, ids: ReadonlySet<string>, maxScan: number, options: StreamReadOptions = {}): Promise<Map<string, EngagementEvent>> {
  const key = options.streamKey ?? EVENTS_STREAM_KEY;
  const page = options.pageSize ?? 1000;
  const found = new Map<string, EngagementEvent>();
  let end = '+';
  let scanned = 0;
  while (found.size < ids.size && scanned < maxScan) {
    const entries = (await redis.xrevrange(key, end, '-', 'COUNT', Math.min(page, maxScan - scanned))) as StreamEntry[];
    for (const entry of entries) {
      const event = eventOf(entry);
      if (event && ids.has(event.id) && !found.has(event.id)) found.set(event.id, event);
    }
    scanned += entries.length;
    if (entries.length < page) break;
    end = `(${entries[entries.length - 1]![0]}`;
  }
  return found;
}
