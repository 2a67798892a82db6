import { QUEUE_PREFIX } from './keys.js';

/**
 * Key of one stats bucket of one queue (src/ops):
 * `{mastercut}:ops:stats:<queue>:<bucketSeconds>:<bucketIndex>`. The width is
 * part of the key so writers and readers with different widths never mix
 * counts. Under the `{mastercut}` hash tag, like BullMQ's own keys, so the
 * recorder's script may touch both in Redis Cluster.
 */
export function statsBucketKey(queueName: string, bucketSeconds: number, index: number, prefix = QUEUE_PREFIX): string {
  return `${prefix}:ops:stats:${queueName}:${bucketSeconds}:${index}`;
}
