import { open } from 'node:fs/promises';

/**
 * The types of an MP4 file's top-level boxes in file order (e.g. `ftyp`,
 * `moov`, `mdat`), read from the 8/16-byte box headers only, so a large file
 * costs a handful of small reads. Stops at a malformed header.
 * https://developer.apple.com/documentation/quicktime-file-format/atoms
 */
export async function mp4TopLevelBoxes(path: string, maxBoxes = 64): Promise<string[]> {
  const handle = await open(path, 'r');
  try {
    const { size: fileSize } = await handle.stat();
    const header = Buffer.alloc(16);
    const types: string[] = [];
    let offset = 0;
    while (offset + 8 <= fileSize && types.length < maxBoxes) {
      const { bytesRead } = await handle.read(header, 0, 16, offset);
      if (bytesRead < 8) break;
      let size = header.readUInt32BE(0);
      types.push(header.toString('latin1', 4, 8));
      if (size === 1) {
        if (bytesRead < 16) break;
        size = Number(header.readBigUInt64BE(8));
      } else if (size === 0) {
        break; // the box runs to the end of the file
      }
      if (size < 8) break;
      offset += size;
    }
    return types;
  } finally {
    await handle.close();
  }
}

/** True when `moov` comes before `mdat`: the file plays before it has fully downloaded. */
export async function isFaststart(path: string): Promise<boolean> {
  const types = await mp4TopLevelBoxes(path);
  const moov = types.indexOf('moov');
  const mdat = types.indexOf('mdat');
  return moov !== -1 && (mdat === -1 || moov < mdat);
}
