import type { Redis } from 'ioredis';
import { isAppError } from '../errors/index.js';
import type { Chunk, InvalidRow, ValidRow } from './scan-chunks.js';

/**
 * Rows a fan-out refuses after the upload pass counted them valid: rows of
 * recipients erased since, and (sticky campaigns) rows whose profile is gone.
 * They move to the chunk's `refused`, and the renders only they needed leave it.
 */

/** Why a row of an erased recipient is refused. */
const ERASED_REASON = 'recipient erased: nothing is made for this recipient any more';

/** A chunk on its way to Redis, with the rows refused at fan-out time (erased recipients). */
export interface FanOutChunk extends Chunk {
  refused: InvalidRow[];
}

/**
 * Rows of erased recipients are refused, and the renders only they needed
 * leave the chunk: nothing is re-created for an erased subject.
 */
export function refuseErased(chunk: FanOutChunk, erased: readonly boolean[]): void {
  if (refuse(chunk, erased)) pruneJobs(chunk);
}

/** Moves the valid rows flagged (same order) to the refused ones as erased; true when any moved. */
export function refuse(chunk: FanOutChunk, flags: readonly boolean[]): boolean {
  if (!flags.includes(true)) return false;
  const kept: ValidRow[] = [];
  chunk.valid.forEach((row, i) => (flags[i] ? chunk.refused.push({ line: row.line, ...(row.endLine ? { endLine: row.endLine } : {}), reason: ERASED_REASON }) : kept.push(row)));
  chunk.valid = kept;
  return true;
}

/**
 * Sticky campaigns read profiles in both passes, and a profile may be pushed
 * or deleted in between. The upload's verdict stands, so counts, reports and
 * manifest agree: a row counted invalid then (no usable profile) is left out
 * even if it could render now; a row counted valid whose profile is gone now
 * is refused with the reason of today (moved to invalid).
 */
export async function keepUploadVerdicts(redis: Redis, unprofiledKey: string, chunk: FanOutChunk): Promise<void> {
  const validCount = chunk.valid.length;
  const lines = [...chunk.valid.map((row) => row.line), ...chunk.unprofiled];
  if (lines.length === 0) return;
  const atUpload = (await redis.smismember(unprofiledKey, ...lines)).map((member) => member === 1);
  if (atUpload.slice(0, validCount).includes(true)) {
    chunk.valid = chunk.valid.filter((_, i) => !atUpload[i]);
    pruneJobs(chunk);
  }
  const lost = new Set(chunk.unprofiled.filter((_, i) => !atUpload[validCount + i]));
  chunk.refused.push(...chunk.invalid.filter((row) => lost.has(row.line)));
}

/** Drops the chunk's renders no valid row needs any more. */
function pruneJobs(chunk: FanOutChunk): void {
  const needed = new Set(chunk.valid.flatMap((row) => row.keys));
  for (const key of [...chunk.jobs.keys()]) if (!needed.has(key)) chunk.jobs.delete(key);
}

/** A storeProps failure of an erased recipient as no props (the row is refused); any other failure goes on up. */
export function erasedAsUndefined(err: unknown): undefined {
  if (isAppError(err, 'SUBJECT_ERASED')) return undefined;
  throw err;
}
