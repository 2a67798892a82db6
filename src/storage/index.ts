/**
 * Where outputs live: the ObjectStore interface, its file-system
 * implementation (the default, with an optional byte budget and TTL) and the
 * S3 one.
 */
export type { ByteRange, ObjectInfo, ObjectStore, PutOptions } from './object-store.js';
export { createFileStore, type FileStore, type FileStoreOptions } from './file-store.js';
export {
  DEFAULT_TTL_SECONDS,
  type StoreLifecycleOptions,
  type SweepOptions,
  type SweepResult,
} from './store-lifecycle.js';
export { createS3Store, type S3Store } from './s3-store.js';
export { MAX_PRESIGN_TTL_SECONDS, type S3StoreOptions } from './s3-store-options.js';
export {
  assertObjectKey,
  assertObjectPrefix,
  isInside,
  resolveObjectPath,
  MAX_KEY_LENGTH,
  MAX_SEGMENT_LENGTH,
} from './object-key.js';
export { assertByteRange, resolveByteRange } from './byte-range.js';
export { createObjectStore } from './create-object-store.js';
