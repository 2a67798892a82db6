import { QUEUE_PREFIX } from '../../queue/queue-names.js';

/** Default bucket width: one minute, the granularity `mastercut ops status` reports in. */
export const DEFAULT_BUCKET_SECONDS = 60;

/** Buckets outlive the longest window read (60 min) with room to spare. */
export const DEFAULT_BUCKET_TTL_SECONDS = 2 * 3_600;

/**
 * Key of one stats bucket of one queue:
 * `{mastercut}:ops:stats:<queue>:<bucketSeconds>:<bucketIndex>`. The width is
 * part of the key so writers and readers with different widths never mix
 * counts. Under the `{mastercut}` hash tag, like BullMQ's own keys, so the
 * recorder's script may touch both in Redis Cluster.
 */
export function statsBucketKey(queueName: string, bucketSeconds: number, index: number, prefix = QUEUE_PREFIX): string {
  return `${prefix}:ops:stats:${queueName}:${bucketSeconds}:${index}`;
}

/** BullMQ's keys that hold a queue's backlog (jobs not yet finished). */
export function backlogKeys(queueName: string, prefix = QUEUE_PREFIX): { wait: string; paused: string; active: string; prioritized: string; delayed: string } {
  const base = `${prefix}:${queueName}`;
  return { wait: `${base}:wait`, paused: `${base}:paused`, active: `${base}:active`, prioritized: `${base}:prioritized`, delayed: `${base}:delayed` };
}
