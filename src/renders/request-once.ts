import type { JobState, Queue } from 'bullmq';
import type { ObjectStore } from '../storage/index.js';
import { lookupOutput } from './done-and-stored.js';
import type { PreparedRenderJob } from './prepare-render-job.js';
import type { RenderOutputIndex } from './render-deps.js';
import type { RenderJobData } from './render-job.schema.js';
import { raisePriority } from './raise-priority.js';

type QueueJobState = JobState | 'unknown';

/** What a producer's request became. */
export type RequestOutcome =
  /** Index says done and the store has it: nothing queued. */
  | 'done'
  /** A job under the key is in flight (anyone's): joined, its priority raised when this request's is higher. */
  | 'joined'
  /** This request queued the job (after removing a finished one that would have swallowed the add). */
  | 'added';

export interface RequestOnceResult {
  outcome: RequestOutcome;
  /** BullMQ's state of the job under the key afterwards ('completed' for a done output). */
  jobState: QueueJobState;
}

export interface RequestOnceDeps {
  queue: Queue<RenderJobData>;
  index: Pick<RenderOutputIndex, 'get' | 'restore'>;
  store: Pick<ObjectStore, 'head'>;
}

export interface RequestOnceOptions {
  /**
   * Runs only when this request is about to queue a new job (a cold Live URL
   * spends its budget here); throwing stops the add. Joining, or a done
   * output, never calls it.
   */
  beforeAdd?: () => Promise<void>;
}

const FINISHED = new Set<QueueJobState>(['completed', 'failed']);

/**
 * The slot under a render key, for a producer about to add a job there. The
 * job id is the render key, so BullMQ keeps one job per key:
 * - nothing there: free;
 * - a job in flight (waiting, prioritized, delayed, active): joined, and when
 *   `raiseTo` is given and the job still waits behind a lower priority (a
 *   campaign backlog), moved ahead;
 * - a finished job (failed, or completed while its output is gone): it would
 *   swallow the add, so it is removed and the slot is free. When the removal
 *   fails (locked, or re-queued by another producer in between) the key is
 *   read again: someone else's job there is joined.
 * `beforeAdd` runs once the slot is known not to be joined, before a
 * finished job is removed: a refusal (a spent budget) leaves the key as it was.
 * Campaigns call it for their batch (then one addBulk), `requestOnce` for one.
 */
export async function claimJobSlot(
  queue: Queue<RenderJobData>,
  renderKey: string,
  options: { raiseTo?: number; beforeAdd?: () => Promise<void> } = {},
): Promise<{ slot: 'free' | 'joined'; state: QueueJobState }> {
  const state = await queue.getJobState(renderKey);
  if (state !== 'unknown' && !FINISHED.has(state)) {
    if (options.raiseTo !== undefined && state !== 'active') await raisePriority(queue, renderKey, options.raiseTo);
    return { slot: 'joined', state };
  }
  await options.beforeAdd?.();
  if (state === 'unknown') return { slot: 'free', state };
  const removed = await queue.remove(renderKey).catch(() => 0);
  if (removed === 1) return { slot: 'free', state: 'unknown' };
  const now = await queue.getJobState(renderKey);
  return now === 'unknown' ? { slot: 'free', state: now } : { slot: 'joined', state: now };
}

/**
 * Requests one render once, whoever else asks for it (API, Live URLs,
 * campaigns, any number of processes): the one implementation of the rule.
 *
 * 1. Done and stored (index + store): answered `done`, the queue untouched.
 * 2. The key's job slot (claimJobSlot): in flight is joined, live and API
 *    requests raising a waiting job's priority; a finished job is removed.
 * 3. Otherwise `beforeAdd` (before a finished job is removed), then the
 *    add. Two producers racing here get one job (the id is the key); a
 *    finished job that landed in between and swallowed the add is replaced once.
 */
export async function requestOnce(deps: RequestOnceDeps, job: PreparedRenderJob, options: RequestOnceOptions = {}): Promise<RequestOnceResult> {
  // An expired done record is found in the store (and re-created): nothing is queued for it.
  const stored = await lookupOutput(deps, job.renderKey, job.storageKey, { templateId: job.data.templateId, templateVersion: job.data.templateVersion, variant: job.data.variant });
  if (stored) return { outcome: 'done', jobState: 'completed' };
  const raiseTo = job.data.priorityClass === 'campaign' ? undefined : job.opts.priority;
  const claimed = await claimJobSlot(deps.queue, job.renderKey, { raiseTo, beforeAdd: options.beforeAdd });
  if (claimed.slot === 'joined') return { outcome: 'joined', jobState: claimed.state };

  let added = await deps.queue.add(job.name, job.data, job.opts);
  let state: QueueJobState = await added.getState();
  if (FINISHED.has(state)) {
    await added.remove().catch(() => undefined);
    added = await deps.queue.add(job.name, job.data, job.opts);
    state = await added.getState();
  }
  // Another producer's job may have taken the key first: it is ours now too.
  if (raiseTo !== undefined && (state === 'waiting' || state === 'prioritized')) await raisePriority(deps.queue, job.renderKey, raiseTo);
  return { outcome: 'added', jobState: state };
}
