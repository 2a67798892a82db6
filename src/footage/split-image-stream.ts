/**
 * Splits ffmpeg's image2pipe output (JPEG or PNG images back to back, with
 * no framing) into whole images, in order. Boundaries come from each
 * format's own structure, never from guessing at byte patterns: JPEG marker
 * segments are length-prefixed and entropy-coded data can only end at a
 * marker that is not a stuffed 0xFF00 or a restart marker; PNG is a chain of
 * length-prefixed chunks ending with IEND.
 */
export class ImageStreamSplitter {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly format: 'jpeg' | 'png') {}

  /** Adds bytes and returns the images they completed. */
  push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const images: Buffer[] = [];
    for (;;) {
      const length = this.format === 'jpeg' ? jpegLength(this.pending) : pngLength(this.pending);
      if (length === 0) break;
      images.push(this.pending.subarray(0, length));
      this.pending = this.pending.subarray(length);
    }
    return images;
  }

  /** Bytes of an image not complete yet (a truncated stream leaves some). */
  get leftover(): number {
    return this.pending.length;
  }
}

/** Length of the JPEG at the start of `b`, or 0 while it is incomplete. Throws on bytes that are no JPEG. */
export function jpegLength(b: Buffer): number {
  if (b.length < 2) return 0;
  if (b[0] !== 0xff || b[1] !== 0xd8) throw new Error('image stream: expected a JPEG start-of-image marker');
  let i = 2;
  for (;;) {
    if (i + 2 > b.length) return 0;
    if (b[i] !== 0xff) throw new Error('image stream: malformed JPEG marker');
    const marker = b[i + 1]!;
    if (marker === 0xd9) return i + 2;
    if (marker === 0xff) {
      i += 1; // fill byte
      continue;
    }
    if (i + 4 > b.length) return 0;
    const segment = b.readUInt16BE(i + 2);
    i += 2 + segment;
    if (marker !== 0xda) continue;
    // Start of scan: entropy-coded data runs until a real marker.
    for (;;) {
      if (i + 1 >= b.length) return 0;
      if (b[i] === 0xff) {
        const next = b[i + 1]!;
        if (next === 0x00 || (next >= 0xd0 && next <= 0xd7)) i += 2;
        else break;
      } else i += 1;
    }
  }
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Length of the PNG at the start of `b`, or 0 while it is incomplete. Throws on bytes that are no PNG. */
export function pngLength(b: Buffer): number {
  if (b.length < 8) return 0;
  if (!b.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('image stream: expected a PNG signature');
  let i = 8;
  for (;;) {
    if (i + 8 > b.length) return 0;
    const length = b.readUInt32BE(i);
    const type = b.toString('latin1', i + 4, i + 8);
    i += 12 + length; // length, type, data, CRC
    if (i > b.length) return 0;
    if (type === 'IEND') return i;
  }
}
