import type { Config } from '../config/index.js';
import { createFileStore, type FileStore } from './file-store.js';
import type { ObjectStore } from './object-store.js';
import { createS3Store } from './s3-store.js';

/** The store the config names: the file store (with its budget and TTL) or an S3 bucket. */
export function createObjectStore(config: Pick<Config, 'storage'>): ObjectStore & { sweep?: FileStore['sweep'] } {
  const s = config.storage;
  if (s.driver === 's3' && s.s3) {
    const { bucket, prefix, region, endpoint, forcePathStyle, serve, presignTtlSeconds } = s.s3;
    return createS3Store({ bucket, prefix, region, endpoint, forcePathStyle, serve, presignTtlSeconds });
  }
  // Campaign data (manifest parts, uploads in flight) is not cache: the byte budget never evicts it.
  return createFileStore({ root: s.root, maxBytes: s.maxBytes || undefined, ttlSeconds: s.ttlSeconds, keepPrefixes: ['campaigns/'] });
}
