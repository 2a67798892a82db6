import type { Job, JobType, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { areErased } from '../../live/index.js';
import type { EngagementEvent } from '../engagement-event.schema.js';
import type { WebhookJobData } from './webhook-job.schema.js';
import { webhookKeys } from './webhook-keys.js';

/** Job states whose data may still carry a recipient's events (active ones are filtered by the worker itself). */
const STATES: JobType[] = ['waiting', 'prioritized', 'delayed', 'waiting-children', 'failed', 'completed'];
const PAGE = 500;

/**
 * Rewrites, in the dead letters, each entry holding the recipient's events:
 * without them, or gone when nothing is left. Atomic (Lua), so deliveries
 * dead-lettered meanwhile are not lost. KEYS[1]: the list. ARGV: recipient id.
 */
const SCRUB_DEAD_LETTERS = `
local removed = 0
local items = redis.call('LRANGE', KEYS[1], 0, -1)
local gone = '__erased__'
for i, raw in ipairs(items) do
  local letter = cjson.decode(raw)
  local kept = {}
  for _, e in ipairs(letter.events) do
    if e.recipientId ~= ARGV[1] then kept[#kept + 1] = e else removed = removed + 1 end
  end
  if #kept == 0 then
    redis.call('LSET', KEYS[1], i - 1, gone)
  elseif #kept < #letter.events then
    letter.events = kept
    redis.call('LSET', KEYS[1], i - 1, cjson.encode(letter))
  end
end
redis.call('LREM', KEYS[1], 0, gone)
return removed
`;

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
  const carries = (e: { recipientId: string }) => e.recipientId === recipientId;
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
  removed += Number(await deps.redis.eval(SCRUB_DEAD_LETTERS, 1, webhookKeys.deadLetters, recipientId));
  return removed;
}

/** The events of a delivery whose recipients were not erased (the worker's last check before sending). */
export async function withoutErasedRecipients<E extends Pick<EngagementEvent, 'recipientId'>>(redis: Redis, events: readonly E[]): Promise<E[]> {
  const ids = [...new Set(events.map((e) => e.recipientId))];
  const erased = await areErased(redis, ids);
  const gone = new Set(ids.filter((_, i) => erased[i]));
  return gone.size === 0 ? [...events] : events.filter((e) => !gone.has(e.recipientId));
}
