import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { DeliverableSpec } from './channel-profile.schema.js';
import { hlsRungNames } from './build-hls-args.js';

/** One file of a deliverable set. */
export interface DeliverableFile {
  /** Relative to outDir, posix separators; the first file of a set is `spec.name`. */
  name: string;
  path: string;
  contentType: string;
  size: number;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.jpg': 'image/jpeg',
  '.png': 'image/png',
  '.gif': 'image/gif',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  // RFC 8216 section 4 names this type for playlists.
  '.m3u8': 'application/vnd.apple.mpegurl',
  // The registered type for fMP4 media segments (ISO/IEC 23009-1 / IANA).
  '.m4s': 'video/iso.segment',
};

/** The Content-Type a deliverable file is served with. */
export function contentTypeFor(name: string): string {
  return CONTENT_TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream';
}

async function fileEntry(outDir: string, name: string): Promise<DeliverableFile> {
  const path = join(outDir, ...name.split('/'));
  return { name, path, contentType: contentTypeFor(name), size: (await stat(path)).size };
}

/**
 * The files of a finished deliverable, main file first. Only what the encode
 * wrote is listed (outDir may also hold a downloaded master): the main file,
 * and for HLS each rung folder's playlist, init segment and media segments.
 */
export async function listDeliverableFiles(spec: DeliverableSpec, outDir: string): Promise<DeliverableFile[]> {
  const files = [await fileEntry(outDir, spec.name)];
  if (spec.kind !== 'hls') return files;
  for (const rung of hlsRungNames(spec)) {
    const names = (await readdir(join(outDir, rung))).filter((n) => !n.startsWith('.')).sort();
    for (const n of names) files.push(await fileEntry(outDir, `${rung}/${n}`));
  }
  return files;
}

/** Paths an attempt may have written, to remove before the next attempt (never the master). */
export function deliverableOutputs(spec: DeliverableSpec, outDir: string): string[] {
  const main = join(outDir, spec.name);
  return spec.kind === 'hls' ? [main, ...hlsRungNames(spec).map((r) => join(outDir, r))] : [main];
}
