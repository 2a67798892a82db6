import type { Queue } from 'bullmq';
import { isKey } from '../cache/index.js';
import { AppError, errorCodes, type ErrorCode } from '../errors/index.js';
import type { ObjectStore } from '../storage/index.js';
import { findStoredByKey, storedOutput } from './done-and-stored.js';
import type { OutputRecord } from './output-record.schema.js';
import type { RenderOutputIndex } from './render-deps.js';
import type { RenderJobData } from './render-job.schema.js';
import { renderStateFromJob, type RenderState } from './render-state.js';

/** Progress as the processor reports it (job.updateProgress). */
export interface RenderJobProgress {
  /** 0..100 */
  percent: number;
  framesDone: number;
  totalFrames: number;
  etaSeconds?: number;
}

export interface RenderStatus {
  renderKey: string;
  state: RenderState;
  progress?: RenderJobProgress;
  output?: { storageKey: string; size: number; contentType: string };
  /** Safe to show a client: a code and its public message. */
  error?: { code: string; message: string };
  /** Tries made so far (failed or running). */
  attemptsMade?: number;
}

export interface RenderStatusDeps {
  queue: Queue<RenderJobData>;
  index: RenderOutputIndex;
  /** A `done` record whose object is gone is not reported done. */
  store: Pick<ObjectStore, 'head'>;
  /**
   * True when the key's recipient was erased since `since` (ms, Redis's
   * clock; here the job's creation, less JOB_CLOCK_MARGIN_MS). Such a job may linger (failed by its tombstone, or a split
   * master failed by its erased chunks): its status is SUBJECT_ERASED (410),
   * not a failure of the render. Absent: not checked.
   */
  wasErased?: (renderKey: string, since: number) => Promise<boolean>;
}

/**
 * A job's `timestamp` is BullMQ's add time on the producer's clock (an API
 * process, a campaign worker), not Redis's, which the key tombstones are
 * written on; several paths add render jobs, so it is not read from Redis
 * at each. Only the status answer leans on it: a job of the same key added
 * this soon after an erasure (someone else's) reads SUBJECT_ERASED until it
 * is done, while it renders and publishes normally (the worker compares on
 * Redis's clock).
 */
const JOB_CLOCK_MARGIN_MS = 5_000;

/**
 * The state of one render key, from the output index (the durable truth for
 * finished outputs) and the queue (live state, progress, retries). Throws
 * INVALID_KEY for a malformed key, SUBJECT_ERASED for an erased one still in the queue (wasErased), and NOT_FOUND for a key nobody asked for
 * (or whose job and record have both expired).
 */
export async function getRenderStatus(deps: RenderStatusDeps, renderKey: string): Promise<RenderStatus> {
  if (!isKey(renderKey)) throw new AppError('INVALID_KEY', 'A render key is 64 lowercase hex characters.');
  const record = await deps.index.get(renderKey);
  if (record?.storageKey && (await storedOutput(deps.store, record))) return doneStatus(renderKey, record);

  const job = await deps.queue.getJob(renderKey);
  const jobState = job ? await job.getState() : 'unknown';
  const state = renderStateFromJob(jobState);
  if (job && state && state !== 'done' && deps.wasErased && (await deps.wasErased(renderKey, job.timestamp - JOB_CLOCK_MARGIN_MS))) {
    throw new AppError('SUBJECT_ERASED', `The render ${renderKey} was erased.`);
  }
  if (job && state && state !== 'done') {
    const status: RenderStatus = { renderKey, state, attemptsMade: job.attemptsMade };
    if (isProgress(job.progress)) status.progress = job.progress;
    if (jobState === 'waiting-children' && status.progress) status.progress = splitProgress(status.progress, await job.getChildrenValues());
    if (state === 'failed') status.error = publicError(record?.error);
    return status;
  }
  if (record?.state === 'failed') return { renderKey, state: 'failed', error: publicError(record.error) };
  // No record and no job in flight: done long ago (the done-record retention let the record expire)
  // is found in the store. Asked last, so polling a queued render costs no store lookups.
  if (!record) {
    const found = await findStoredByKey(deps, renderKey);
    if (found.info && found.record.storageKey) return doneStatus(renderKey, found.record);
  }
  throw new AppError('NOT_FOUND', `No render with key ${renderKey}.`);
}

function doneStatus(renderKey: string, record: OutputRecord): RenderStatus {
  const storageKey = record.storageKey ?? '';
  return { renderKey, state: 'done', output: { storageKey, size: record.size ?? 0, contentType: record.contentType ?? 'application/octet-stream' } };
}

/** The index stores the error code only; the client gets the code's public message. */
function publicError(code: string | undefined): { code: string; message: string } {
  const known = code && code in errorCodes ? (code as ErrorCode) : 'INTERNAL';
  return { code: known, message: errorCodes[known].publicMessage };
}

/**
 * A split master parked on its chunks (docs/split-render.md) reported its
 * length when it parked; the frames done are those of its chunks finished
 * since (each chunk job returns its frame range).
 */
function splitProgress(parked: RenderJobProgress, children: Record<string, unknown> | undefined): RenderJobProgress {
  let framesDone = 0;
  for (const value of Object.values(children ?? {})) {
    const chunk = (value as { chunk?: { start?: unknown; end?: unknown } } | null)?.chunk;
    if (typeof chunk?.start === 'number' && typeof chunk.end === 'number') framesDone += chunk.end - chunk.start;
  }
  const totalFrames = parked.totalFrames;
  return { percent: totalFrames > 0 ? Math.floor((100 * Math.min(framesDone, totalFrames)) / totalFrames) : 0, framesDone, totalFrames };
}

function isProgress(value: unknown): value is RenderJobProgress {
  return typeof value === 'object' && value !== null && typeof (value as RenderJobProgress).percent === 'number';
}
