import type { Queue } from 'bullmq';
import type { RedisKeys } from '../redis/index.js';
import { priorities, type RenderJobOptions } from '../queue/index.js';
import type { PlannedDeliverable } from './deliverable-plan.js';
import { raisePriority } from './raise-priority.js';
import type { TranscodeJobData } from './transcode-job.schema.js';

/** What both sides of the render -> transcode chain (request, release) are made with. */
export interface DeliverableRequestsOptions {
  /** The transcode queue (producer side). */
  queue: Queue<TranscodeJobData>;
  /** Options every transcode job is added with (attempts, backoff, retention). */
  jobOptions: RenderJobOptions;
  /** The key registry: plan, "wanted" and output index keys (whose `state` says a master is done). Default: the farm's. */
  keys?: Pick<RedisKeys, 'plan' | 'wanted' | 'output'>;
  /** How long an unfulfilled request and its plan are kept. Default 7 days. */
  ttlSeconds?: number;
}

/**
 * Adds the transcode jobs of planned deliverables in one addBulk. The job
 * id is the deliverable key, so every deliverable is made once however many
 * requests and releases name it. An add under a key already queued is a
 * no-op, so a Live (or API) request for a deliverable a campaign queued
 * first raises that job instead: a recipient's cold poster must not wait
 * behind the campaign's transcode backlog. Campaign requests never raise
 * (theirs is the lowest class), so a campaign's batch costs nothing more.
 */
export async function queueTranscodeJobs(options: Pick<DeliverableRequestsOptions, 'queue' | 'jobOptions'>, deliverables: readonly PlannedDeliverable[]): Promise<void> {
  if (deliverables.length === 0) return;
  await options.queue.addBulk(
    deliverables.map((d) => ({
      name: d.data.spec.kind,
      data: d.data,
      // Removed once done: a retained job would swallow the re-add after its
      // output was evicted, and the output index already dedupes finished work.
      opts: { ...options.jobOptions, removeOnComplete: true, jobId: d.deliverableKey, priority: priorities[d.data.priorityClass] },
    })),
  );
  for (const d of deliverables) {
    if (d.data.priorityClass !== 'campaign') await raisePriority(options.queue, d.deliverableKey, priorities[d.data.priorityClass]);
  }
}
