import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ObjectStore } from '../storage/index.js';
import { lookupOutput } from './done-and-stored.js';
import type { PreparedRenderJob } from './prepare-render-job.js';
import { queueNewRenders, type CampaignChunk } from './queue-new-renders.js';
import type { RenderOutputIndex } from './render-deps.js';
import type { RenderJobData } from './render-job.schema.js';
import { requestOnce, type RequestOnceOptions } from './request-once.js';

export interface RendersDeps {
  /** The render queue the requests go to. */
  queue: Queue<RenderJobData>;
  /** The connection campaign batches claim their keys on (usually the queue's own). */
  redis: Redis;
  index: Pick<RenderOutputIndex, 'get' | 'restore'>;
  store: Pick<ObjectStore, 'head'>;
  /** The transcode queue; `retryDeliverable` and `removeJobs` reach it (Live URLs, erasures). */
  transcodeQueue?: Pick<Queue, 'remove' | 'getJobState'>;
}

/** Job states of a render still on its way (a live one streams its bytes meanwhile). */
const IN_FLIGHT = new Set(['waiting', 'active', 'prioritized', 'delayed', 'waiting-children']);

/**
 * The render lifecycle as its callers see it, built once per composition
 * root: Live URLs and campaigns hold this object, never a BullMQ queue, so
 * how a render is queued (job ids, priorities, removal of finished jobs)
 * stays in src/renders.
 */
export function createRenders(deps: RendersDeps) {
  return {
    /** The stored output of a key (done in the index AND in the store; without a record, the store at `storageKey`), else undefined. */
    lookup: (key: string, storageKey?: string) => lookupOutput(deps, key, storageKey),
    /** One render once, whoever else asks (see requestOnce). */
    request: (job: PreparedRenderJob, options?: RequestOnceOptions) => requestOnce(deps, job, options),
    /** A campaign chunk's new renders, deduplicated per campaign, in one addBulk (see queueNewRenders). */
    queueNew: (campaign: CampaignChunk, jobs: Map<string, PreparedRenderJob>) => queueNewRenders(deps, campaign, jobs),
    /** True when the render is made by a live job still in flight, which streams its bytes. */
    async streamingLive(renderKey: string): Promise<boolean> {
      const job = await deps.queue.getJob(renderKey);
      if (!job || job.data.priorityClass !== 'live') return false;
      return IN_FLIGHT.has(await job.getState());
    },
    /** Clears a failed deliverable's transcode job so that a new request can retry it. */
    async retryDeliverable(key: string): Promise<void> {
      await deps.transcodeQueue?.remove(key).catch(() => undefined);
    },
    /**
     * Removes the render and transcode jobs under these ids (an erasure).
     * `active`: jobs running (locked), which cannot be removed; the caller's
     * key tombstones stop them from publishing.
     */
    async removeJobs(ids: readonly string[]): Promise<{ removed: number; active: number }> {
      const counts = { removed: 0, active: 0 };
      for (const queue of deps.transcodeQueue ? [deps.queue, deps.transcodeQueue] : [deps.queue]) {
        for (const id of ids) {
          // remove() answers 1 for a job that does not exist, so look first.
          if ((await queue.getJobState(id)) === 'unknown') continue;
          if ((await queue.remove(id)) === 1) counts.removed++;
          else counts.active++;
        }
      }
      return counts;
    },
  };
}

export type Renders = ReturnType<typeof createRenders>;
