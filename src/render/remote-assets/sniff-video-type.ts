import { isoBrands } from './sniff-image-type.js';

/**
 * The only video types a remote <Video> source may have: what ffmpeg decodes
 * and browsers play. Matroska other than WebM, AVI and the like are refused.
 */
export const allowedVideoTypes = ['video/mp4', 'video/quicktime', 'video/webm'] as const;

export type AllowedVideoType = (typeof allowedVideoTypes)[number];

/** Normalizes a Content-Type header to an allowed video type, or null. */
export function normalizeVideoType(header: string | undefined): AllowedVideoType | null {
  const essence = (header ?? '').split(';')[0]!.trim().toLowerCase();
  return (allowedVideoTypes as readonly string[]).includes(essence) ? (essence as AllowedVideoType) : null;
}

const EBML_MAGIC = [0x1a, 0x45, 0xdf, 0xa3];
/** The EBML DocType element (0x4282) holding "webm". */
const WEBM_DOCTYPE = Buffer.from([0x42, 0x82, 0x84, 0x77, 0x65, 0x62, 0x6d]);

/**
 * The video type the first bytes announce, or null: an ISO-BMFF `ftyp` box
 * (MP4, or QuickTime by its `qt  ` brand; AVIF still pictures are not
 * video), or an EBML header whose DocType is `webm`.
 */
export function sniffVideoType(bytes: Uint8Array): AllowedVideoType | null {
  const brands = isoBrands(bytes);
  if (brands) {
    if (brands.some((b) => b === 'avif' || b === 'avis')) return null;
    return brands[0] === 'qt  ' ? 'video/quicktime' : 'video/mp4';
  }
  if (bytes.length >= 4 && EBML_MAGIC.every((b, i) => bytes[i] === b)) {
    const header = Buffer.from(bytes.subarray(0, Math.min(bytes.length, 64)));
    if (header.includes(WEBM_DOCTYPE)) return 'video/webm';
  }
  return null;
}
