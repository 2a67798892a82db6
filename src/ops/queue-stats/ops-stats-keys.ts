/** BullMQ's keys that hold a queue's backlog: built by the key registry. */
export { backlogKeys } from '../../redis/index.js';

/** Default bucket width: one minute, the granularity `mastercut ops status` reports in. */
export const DEFAULT_BUCKET_SECONDS = 60;

/** Buckets outlive the longest window read (60 min) with room to spare. */
export const DEFAULT_BUCKET_TTL_SECONDS = 2 * 3_600;

/** Key of one stats bucket of one queue: built by the key registry. */
export { statsBucketKey } from '../../redis/index.js';
