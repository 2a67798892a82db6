import type { Queue } from 'bullmq';
import type { ObjectStore } from '../storage/index.js';
import { prepareRenderJob, type PrepareRenderJobDeps, type RenderRequestInput } from './prepare-render-job.js';
import type { RenderOutputIndex } from './render-deps.js';
import type { RenderJobData } from './render-job.schema.js';
import { renderStateFromJob, type RenderState } from './render-state.js';
import { requestOnce } from './request-once.js';

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
 * Validates a request and queues its render once (requestOnce: a done and
 * stored output is answered `done`; a job in flight is joined, its priority
 * raised for live and API requests; a finished job whose output is gone is
 * replaced, so a fresh request always gets a fresh chance).
 */
export async function enqueueRender(deps: EnqueueRenderDeps, request: RenderRequestInput): Promise<EnqueueRenderResult> {
  const prepared = await prepareRenderJob(deps, request);
  const { renderKey, storageKey } = prepared;
  const { outcome, jobState } = await requestOnce(deps, prepared);
  if (outcome === 'done') return { renderKey, storageKey, state: 'done' };
  if (jobState === 'prioritized' || jobState === 'waiting') return { renderKey, storageKey, state: 'queued' };
  return { renderKey, storageKey, state: renderStateFromJob(jobState) ?? 'queued' };
}
