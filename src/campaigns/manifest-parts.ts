import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { AppError } from '../errors/index.js';
import type { ObjectStore } from '../storage/index.js';

/**
 * A campaign's manifest lives in the object store, one part per fan-out
 * chunk, instead of one Redis list entry per row (~75 bytes of Redis a row,
 * 750 MB at 10M rows). Redis keeps only the list of committed part names
 * (one per chunk of 500 rows): the fan-out writes a part atomically before
 * its chunk commit and the commit appends the part's name, so a chunk
 * re-run after a crash writes a part of its own, and the one the fenced
 * commit named is the one read; a stale runner's part is never named.
 */

/** The object-store name of one attempt at chunk `chunk`'s manifest part (zero-padded: names sort in file order). */
export function manifestPartKey(campaignId: string, chunk: number, attempt: string): string {
  return `campaigns/${campaignId}/manifest/${String(chunk).padStart(8, '0')}-${attempt}.txt`;
}

/** Writes one chunk's manifest rows (`recipientId key1 key2...`) as a part; returns its name for the commit. */
export async function writeManifestPart(store: Pick<ObjectStore, 'put'>, campaignId: string, chunk: number, rows: readonly string[]): Promise<string> {
  const name = manifestPartKey(campaignId, chunk, randomBytes(4).toString('hex'));
  await store.put(name, Readable.from([Buffer.from(`${rows.join('\n')}\n`)]), { contentType: 'text/plain' });
  return name;
}

/**
 * A chunk's manifest part, written when the chunk has rows (a line per row:
 * `recipientId key1 key2...`); its name in a list for the commit, empty when
 * there is no part. A part that no commit names (the chunk failed later) is never read.
 */
export async function writeChunkManifest(store: Pick<ObjectStore, 'put'>, campaignId: string, chunk: number, rows: readonly { recipientId: string; keys: readonly string[] }[]): Promise<string[]> {
  if (rows.length === 0) return [];
  return [await writeManifestPart(store, campaignId, chunk, rows.map((row) => `${row.recipientId} ${row.keys.join(' ')}`))];
}

/** The rows of one committed part, in file order. A missing part is an error, never a short manifest. */
export async function readManifestPart(store: Pick<ObjectStore, 'get'>, name: string): Promise<string[]> {
  const object = await store.get(name);
  if (!object) throw new AppError('INTERNAL', `manifest part ${name} is missing from the object store`);
  const buffers: Buffer[] = [];
  for await (const piece of object.body) buffers.push(piece as Buffer);
  const text = Buffer.concat(buffers).toString('utf8');
  return text.length === 0 ? [] : text.replace(/\n$/, '').split('\n');
}
