/**
 * Remote images (and <Video> sources) named in props, fetched from Node
 * behind SSRF guards and kept in a disk cache; the capture page only ever
 * sees the cached bytes.
 */
export {
  createRemoteAssetFetcher,
  type FetchedAsset,
  type RemoteAssetFetcher,
  type RemoteAssetFetcherDeps,
} from './create-remote-asset-fetcher.js';
export { checkUrl, type CheckedUrl } from './check-url.js';
export { isForbiddenAddress } from '../../net/index.js';
export type { LookupAll } from './resolve-pinned-addresses.js';
export {
  remoteAssetOptionsSchema,
  type RemoteAssetOptions,
  type ResolvedRemoteAssetOptions,
  type UrlPolicy,
} from './remote-asset-options.schema.js';
export { resolveRemoteAssetOptions } from './resolve-remote-asset-options.js';
export { allowedImageTypes, sniffImageType, type AllowedImageType } from './sniff-image-type.js';
export { allowedVideoTypes, sniffVideoType, type AllowedVideoType } from './sniff-video-type.js';
export { allowedTypes, type AllowedAssetType, type AssetKind } from './asset-kind.js';
