/**
 * The fast path for cached files: a request listener in front of Express
 * that answers recently checked `/l/:token/<asset>` and `/v1/outputs/:key`
 * paths from memory, and the hook routes call to admit a path; and the
 * landing page's bundle files (`/b/:templateId/:version/player.js`, ...),
 * held in memory with brotli and gzip variants, immutable.
 */
export { createFastPath, type FastPath, type FastPathDeps, type FastPathOptions } from './create-fast-path.js';
export {
  chooseBundleEncoding,
  createBundleFileCache,
  type BundleEncoding,
  type BundleFile,
  type BundleFileCache,
  type BundleFileCacheOptions,
  type BundleFileCacheStats,
} from './bundle-file-cache.js';
export { admitHot, attachHotAdmission, type HotGrant } from './hot-admission.js';
export { createHotOutputCache, type HotObject, type HotOutputCache, type HotOutputCacheOptions, type HotOutputCacheStats } from './hot-output-cache.js';
export { serveHotObject } from './serve-hot-object.js';
export { serveBundleFile } from './serve-bundle-file.js';
