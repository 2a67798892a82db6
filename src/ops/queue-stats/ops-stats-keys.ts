import { QUEUE_PREFIX } from '../../redis/index.js';

/** BullMQ's keys that hold a queue's backlog: built by the key registry. */
export { backlogKeys } from '../../redis/index.js';

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

