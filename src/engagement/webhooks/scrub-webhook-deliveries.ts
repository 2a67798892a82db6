import type { Job, JobType, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { areErased } from '../../live/index.js';
import { runScript, scrubDeadLetters } from '../../redis/index.js';
import type { WebhookEvent } from './webhook-job.schema.js';
import type { WebhookJobData } from './webhook-job.schema.js';
import { webhookKeys } from './webhook-keys.js';

/** Job states whose data may still carry a recipient's events (active ones are filtered by the worker itself). */
const STATES: JobType[] = ['waiting', 'prioritized', 'delayed', 'waiting-children', 'failed', 'completed'];
const PAGE = 500;

/**
 * Removes one recipient's events from the `webhooks` queue: each job (pending,
 * delayed, failed or completed: their data stays in Redis) that carries one
 * is rewritten without it, or removed when nothing is left, and the dead
 * letters likewise. A job being delivered right now cannot be changed; the
 * worker drops erased recipients' events before each attempt (see
 * processWebhookJob). Returns how many events were removed.
 *
 * The cost grows with the jobs the queue keeps (completed ones stay 24 h).
 */
export async function scrubWebhookDeliveries(deps: { redis: Redis; queue: Queue<WebhookJobData> }, recipientId: string): Promise<number> {
  const carries = (e: object) => 'recipientId' in e && e.recipientId === recipientId;
  const touched: Job<WebhookJobData>[] = [];
  for (const state of STATES) {
    for (let start = 0; ; start += PAGE) {
      const jobs = await deps.queue.getJobs([state], start, start + PAGE - 1, true);
      for (const job of jobs) if (job?.data?.events?.some(carries)) touched.push(job);
      if (jobs.length < PAGE) break;
    }
  }
  let removed = 0;
  for (const job of touched) {
    const kept = job.data.events.filter((e) => !carries(e));
    removed += job.data.events.length - kept.length;
    if (kept.length === 0) {
      // A job that turned active meanwhile stays: the worker filters it.
      await job.remove().catch(() => undefined);
    } else await job.updateData({ ...job.data, events: kept });
  }
  removed += Number(await runScript(deps.redis, scrubDeadLetters, [webhookKeys.deadLetters], [recipientId]));
  return removed;
}

/** The events of a delivery whose recipients were not erased (the worker's last check before sending). */
export async function withoutErasedRecipients<E extends WebhookEvent>(redis: Redis, events: readonly E[]): Promise<E[]> {
  // Campaign lifecycle events name no recipient: nothing to check.
  const ids = [...new Set(events.flatMap((e) => recipientOf(e) ?? []))];
  if (ids.length === 0) return [...events];
  const erased = await areErased(redis, ids);
  const gone = new Set(ids.filter((_, i) => erased[i]));
  return gone.size === 0 ? [...events] : events.filter((e) => !gone.has(recipientOf(e) ?? ''));
}

/** The recipient an event is about; none for a campaign lifecycle event. */
function recipientOf(event: WebhookEvent): string | undefined {
  return 'recipientId' in event ? event.recipientId : undefined;
}
