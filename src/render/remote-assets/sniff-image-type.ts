/** The only image types a remote asset may have. No SVG: it can carry scripts. */
export const allowedImageTypes = ['image/png', 'image/jpeg', 'image/webp', 'image/gif', 'image/avif'] as const;

export type AllowedImageType = (typeof allowedImageTypes)[number];

/**
 * Normalizes a Content-Type header to one of the allowed image types, or
 * returns null. `image/jpg` is a common misspelling and is taken as JPEG;
 * the magic bytes get the final word anyway.
 */
export function normalizeImageType(header: string | undefined): AllowedImageType | null {
  const essence = (header ?? '').split(';')[0]!.trim().toLowerCase();
  const type = essence === 'image/jpg' ? 'image/jpeg' : essence;
  return (allowedImageTypes as readonly string[]).includes(type) ? (type as AllowedImageType) : null;
}

function ascii(bytes: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...bytes.subarray(start, end));
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * The image type that the first bytes of a file announce, or null when they
 * match none of the allowed types. A server's Content-Type alone is not
 * trusted: HTML served as image/png must not reach the page.
 */
export function sniffImageType(bytes: Uint8Array): AllowedImageType | null {
  if (bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return 'image/png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.length >= 6 && /^GIF8[79]a$/.test(ascii(bytes, 0, 6))) return 'image/gif';
  if (bytes.length >= 12 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return 'image/webp';
  if (isAvif(bytes)) return 'image/avif';
  return null;
}

/**
 * The brands (major first, then compatible) of an ISO-BMFF file's leading
 * `ftyp` box, or null when the bytes do not start with one.
 */
export function isoBrands(bytes: Uint8Array): string[] | null {
  if (bytes.length < 16 || ascii(bytes, 4, 8) !== 'ftyp') return null;
  const boxSize = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
  const end = Math.min(boxSize, bytes.length);
  const brands = [ascii(bytes, 8, 12)];
  for (let i = 16; i + 4 <= end; i += 4) brands.push(ascii(bytes, i, i + 4));
  return brands;
}

/** AVIF is an ISO-BMFF file whose leading `ftyp` box names the avif/avis brand (major or compatible). */
function isAvif(bytes: Uint8Array): boolean {
  return isoBrands(bytes)?.some((b) => b === 'avif' || b === 'avis') ?? false;
}
