import { allowedImageTypes, normalizeImageType, sniffImageType, type AllowedImageType } from './sniff-image-type.js';
import { allowedVideoTypes, normalizeVideoType, sniffVideoType, type AllowedVideoType } from './sniff-video-type.js';

/** What a remote asset is fetched as: an <Img> picture or a <Video> source. */
export type AssetKind = 'image' | 'video';

/** Every content type a fetched asset may have, of either kind. */
export type AllowedAssetType = AllowedImageType | AllowedVideoType;

/** The types one kind accepts; the other kind's types are refused (an image URL cannot bring a video). */
export function allowedTypes(kind: AssetKind): readonly AllowedAssetType[] {
  return kind === 'image' ? allowedImageTypes : allowedVideoTypes;
}

/** The Content-Type header as one of the kind's types, or null. */
export function normalizeType(kind: AssetKind, header: string | undefined): AllowedAssetType | null {
  return kind === 'image' ? normalizeImageType(header) : normalizeVideoType(header);
}

/** The kind's type that the first bytes announce, or null. */
export function sniffType(kind: AssetKind, bytes: Uint8Array): AllowedAssetType | null {
  return kind === 'image' ? sniffImageType(bytes) : sniffVideoType(bytes);
}

/** Whether a cached entry's recorded type is still one we accept. */
export function isAllowedAssetType(type: unknown): type is AllowedAssetType {
  return (allowedImageTypes as readonly unknown[]).includes(type) || (allowedVideoTypes as readonly unknown[]).includes(type);
}
