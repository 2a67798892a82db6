import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { DEFAULT_WEBHOOK_RETRY_SCHEDULE_MS, WEBHOOK_BACKOFF_TYPE } from './webhook-backoff.js';
import type { StoredWebhookEndpoint } from './webhook-endpoint.schema.js';
import { webhookJobId, webhookMessageId, webhookMessageType, type WebhookEvent, type WebhookJobData } from './webhook-job.schema.js';


/** One job to add to the `webhooks` queue. */
export interface WebhookJobEntry {
  name: string;
  data: WebhookJobData;
  jobId: string;
}

/** The dispatcher: ingestion's EventSink, also handed the farm-made data-spine events. */
export type WebhookDispatcher = (events: readonly WebhookEvent[]) => Promise<void>;
import { webhookKeys } from './webhook-keys.js';
import { loadAllWebhookEndpoints } from './webhook-registry.js';

export interface WebhookDispatcherDeps {
  redis: Redis;
  /** The `webhooks` queue (producer side). */
  queue: Queue<WebhookJobData>;
}

export interface WebhookDispatcherOptions {
  /** Delays between attempts; a job gets one attempt more than entries. Default 5 s ... 10 h (7 retries). */
  retryScheduleMs?: readonly number[];
  /** Events per job at most; a larger batch becomes several messages. Default 500. */
  maxEventsPerJob?: number;
  /** How long a delivered job (its id: the dedupe window of a retried ingest) stays. Default 24 h. */
  completedRetentionSeconds?: number;
  /** How long a failed job stays (its events are in the dead letters too). Default 7 days. */
  failedRetentionSeconds?: number;
}

/** Job options of one delivery: attempts from the schedule, the custom backoff, retention. */
export function webhookJobOptions(options: WebhookDispatcherOptions = {}) {
  const schedule = options.retryScheduleMs ?? DEFAULT_WEBHOOK_RETRY_SCHEDULE_MS;
  return {
    attempts: schedule.length + 1,
    backoff: { type: WEBHOOK_BACKOFF_TYPE },
    removeOnComplete: { age: options.completedRetentionSeconds ?? 86_400 },
    removeOnFail: { age: options.failedRetentionSeconds ?? 7 * 86_400 },
  };
}

/** Whether an endpoint wants this event. */
export function endpointWants(endpoint: Pick<StoredWebhookEndpoint, 'events' | 'includeBots'>, event: WebhookEvent): boolean {
  if ('bot' in event && event.bot && !endpoint.includeBots) return false;
  return endpoint.events.includes('*') || endpoint.events.includes(event.type);
}

/**
 * Events' JSON per message at most: a delivery stays under the 500 KB a
 * Segment batch may weigh (and well under what receivers take).
 */
export const MAX_MESSAGE_EVENT_BYTES = 400_000;

/**
 * The jobs of one batch (or replay) for one endpoint, in chunks of `max`
 * events and MAX_MESSAGE_EVENT_BYTES. Events of different message types
 * (engagement, data-spine, a campaign's lifecycle) never share a message:
 * each message has one `type`.
 */
export function buildWebhookJobs(endpointId: string, events: readonly WebhookEvent[], max: number, replayNonce?: string): WebhookJobEntry[] {
  const byType = new Map<string, WebhookEvent[]>();
  for (const event of events) {
    const type = webhookMessageType(event);
    byType.set(type, [...(byType.get(type) ?? []), event]);
  }
  if (byType.size > 1) return [...byType.values()].flatMap((group) => buildWebhookJobs(endpointId, group, max, replayNonce));
  const jobs: WebhookJobEntry[] = [];
  const push = (chunk: WebhookEvent[]) => {
    const jobId = webhookJobId(endpointId, chunk.map((e) => e.id), replayNonce);
    jobs.push({ name: 'deliver', jobId, data: { endpointId, messageId: webhookMessageId(jobId), events: chunk, replay: replayNonce !== undefined } });
  };
  let chunk: WebhookEvent[] = [];
  let bytes = 0;
  for (const event of events) {
    const size = Buffer.byteLength(JSON.stringify(event));
    if (chunk.length > 0 && (chunk.length >= max || bytes + size > MAX_MESSAGE_EVENT_BYTES)) {
      push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(event);
    bytes += size;
  }
  if (chunk.length > 0) push(chunk);
  return jobs;
}

/**
 * The webhook side of ingestion: an EventSink that adds one `webhooks` job
 * per (batch, subscribed enabled endpoint). Job ids are deterministic, so
 * a batch dispatched twice is delivered once. The endpoint list is cached
 * and reloaded only when the registry's version counter moves (one GET per
 * batch), so a disabled or deleted endpoint gets no job from the next batch
 * on. Redis failures reject (the caller decides); events never make it throw.
 */
export function createWebhookDispatcher(deps: WebhookDispatcherDeps, options: WebhookDispatcherOptions = {}): WebhookDispatcher {
  const jobOptions = webhookJobOptions(options);
  const max = options.maxEventsPerJob ?? 500;
  let cached: { version: string | null; endpoints: StoredWebhookEndpoint[] } | undefined;

  const endpoints = async () => {
    const version = await deps.redis.get(webhookKeys.version);
    if (!cached || cached.version !== version) {
      const all = await loadAllWebhookEndpoints(deps.redis);
      cached = { version, endpoints: all.filter((e) => e.enabled) };
    }
    return cached.endpoints;
  };

  return async (events) => {
    if (events.length === 0) return;
    const targets = await endpoints();
    const jobs = targets.flatMap((endpoint) => {
      const wanted = events.filter((event) => endpointWants(endpoint, event));
      return wanted.length === 0 ? [] : buildWebhookJobs(endpoint.id, wanted, max);
    });
    if (jobs.length === 0) return;
    await deps.queue.addBulk(jobs.map((j) => ({ name: j.name, data: j.data, opts: { ...jobOptions, jobId: j.jobId } })));
  };
}
