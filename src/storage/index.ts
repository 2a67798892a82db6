/**
 * Where outputs live: the ObjectStore interface and its file-system
 * implementation (the default; S3 comes later behind the same interface).
 */
export type { ByteRange, ObjectInfo, ObjectStore, PutOptions } from './object-store.js';
export { createFileStore, type FileStore, type FileStoreOptions } from './file-store.js';
export {
  assertObjectKey,
  assertObjectPrefix,
  isInside,
  resolveObjectPath,
  MAX_KEY_LENGTH,
  MAX_SEGMENT_LENGTH,
} from './object-key.js';
export { assertByteRange, resolveByteRange } from './byte-range.js';
