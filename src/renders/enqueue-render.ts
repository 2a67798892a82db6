import type { Job, Queue } from 'bullmq';
import type { ObjectStore } from '../storage/index.js';
import { prepareRenderJob, type PrepareRenderJobDeps, type RenderRequestInput } from './prepare-render-job.js';
import { outputExists, type RenderOutputIndex } from './render-deps.js';
import type { RenderJobData } from './render-job.schema.js';
import { renderStateFromJob, type RenderState } from './render-state.js';

export interface EnqueueRenderDeps extends PrepareRenderJobDeps {
  queue: Queue<RenderJobData>;
  index: RenderOutputIndex;
  store: Pick<ObjectStore, 'head'>;
}

export interface EnqueueRenderResult {
  renderKey: string;
  state: RenderState;
  storageKey: string;
}

/**
 * Validates a request and queues its render once.
 *
 * - An output that is already done (index says so and the store has it) is
 *   answered `done` without touching the queue.
 * - The job id is the render key, so BullMQ adds a key only once: identical
 *   requests from the API, Live URLs and campaigns share one job.
 * - A finished job still retained under the key would swallow the add: when
 *   its output is gone (deleted, or the last try failed) it is replaced, so a
 *   fresh request always gets a fresh chance.
 * - A live or API request for a key already waiting at a lower priority
 *   raises that job's priority instead of waiting behind a campaign backlog.
 */
export async function enqueueRender(deps: EnqueueRenderDeps, request: RenderRequestInput): Promise<EnqueueRenderResult> {
  const prepared = await prepareRenderJob(deps, request);
  const { renderKey, storageKey } = prepared;
  if (await outputExists(deps, renderKey, storageKey)) return { renderKey, storageKey, state: 'done' };

  let job: Job<RenderJobData> = await deps.queue.add(prepared.name, prepared.data, prepared.opts);
  let state = await job.getState();
  if (state === 'completed' || state === 'failed') {
    // Removal fails when another request replaced it first (the job is then
    // active or waiting again): the add below is deduped to that one.
    await job.remove().catch(() => undefined);
    job = await deps.queue.add(prepared.name, prepared.data, prepared.opts);
    state = await job.getState();
  }
  if ((state === 'prioritized' || state === 'waiting') && request.priorityClass !== 'campaign') {
    await raisePriority(deps.queue, renderKey, prepared.opts.priority);
  }
  if (state === 'prioritized' || state === 'waiting') return { renderKey, storageKey, state: 'queued' };
  return { renderKey, storageKey, state: renderStateFromJob(state) ?? 'queued' };
}

/** `queue.add` returns our options, not the stored job's: read it back to compare. */
async function raisePriority(queue: Queue<RenderJobData>, jobId: string, priority: number): Promise<void> {
  const existing = await queue.getJob(jobId);
  if (existing && existing.priority > priority) {
    // The job may have started in between: then there is nothing to raise.
    await existing.changePriority({ priority }).catch(() => undefined);
  }
}
