import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { AppError } from '../../errors/index.js';
import { buildWebhookJobs, endpointWants, webhookJobOptions, type WebhookDispatcherOptions } from './create-webhook-dispatcher.js';
import { findEventsById, readEventsByArrival, type StreamReadOptions } from './read-event-stream.js';
import { listWebhookDeadLetters } from './webhook-dead-letters.js';
import { replayInputSchema, WEBHOOK_ENDPOINT_ID_PATTERN } from './webhook-endpoint.schema.js';
import type { WebhookEvent, WebhookJobData } from './webhook-job.schema.js';
import { loadWebhookEndpoint } from './webhook-registry.js';

export interface ReplayDeps {
  redis: Redis;
  queue: Queue<WebhookJobData>;
}

export interface ReplayOptions extends WebhookDispatcherOptions, StreamReadOptions {
  /** Most events one replay sends. Default 10,000. */
  maxEvents?: number;
  /** Stream entries read back at most when looking for event ids. Default 200,000. */
  maxScan?: number;
}

/** What a replay queued. */
export interface ReplayResult {
  /** Delivery jobs added (new messages: new `webhook-id`s, same event ids). */
  jobs: number;
  events: number;
  /** By time range: whether `maxEvents` cut the range short. */
  truncated: boolean;
  /** By ids: ids found neither in the endpoint's dead letters nor in the stream. */
  notFound: string[];
}

function toMs(value: number | string): number {
  return typeof value === 'number' ? value : Date.parse(value);
}

/**
 * `POST /v1/webhooks/:id/replay`. By time range `{from, to?}` (arrival
 * time, epoch ms or ISO): the stored events the endpoint subscribes to. By
 * `{eventIds}`: those events (as asked, whatever the subscription), looked
 * up in the endpoint's dead letters first, then in the events stream.
 * Replayed events keep their ids (receivers dedupe on them); each replay
 * is a new message with a new `webhook-id`.
 */
export async function replayWebhookEvents(deps: ReplayDeps, endpointId: string, input: unknown, options: ReplayOptions = {}): Promise<ReplayResult> {
  if (!WEBHOOK_ENDPOINT_ID_PATTERN.test(endpointId)) throw new AppError('INVALID_KEY', 'webhook endpoint id is malformed');
  const parsed = replayInputSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(body)', message: i.message }));
    throw new AppError('INVALID_ARGUMENT', 'replay takes {from, to?} (epoch ms or ISO dates) or {eventIds: [...]}', { details: { issues } });
  }
  const endpoint = await loadWebhookEndpoint(deps.redis, endpointId);
  if (!endpoint) throw new AppError('NOT_FOUND', `no webhook endpoint ${endpointId}`);
  if (!endpoint.enabled) {
    throw new AppError('INVALID_ARGUMENT', `webhook endpoint ${endpointId} is disabled: POST /v1/webhooks/${endpointId}/enable first`, {
      details: { issues: [{ path: '(endpoint)', message: 'endpoint is disabled' }] },
    });
  }
  const maxEvents = options.maxEvents ?? 10_000;
  const body = parsed.data;
  let events: WebhookEvent[] = [];
  let truncated = false;
  let notFound: string[] = [];

  if ('eventIds' in body) {
    const wanted = new Set(body.eventIds);
    if (wanted.size > maxEvents) throw new AppError('INVALID_ARGUMENT', `at most ${maxEvents} event ids per replay`);
    const found = new Map<string, WebhookEvent>();
    for (const letter of await listWebhookDeadLetters(deps.redis, { endpointId, limit: 10_000 })) {
      // Replays resend engagement events (campaign lifecycle events are not replayed).
      for (const event of letter.events) if (wanted.has(event.id) && !found.has(event.id) && 'recipientId' in event) found.set(event.id, event);
    }
    const missing = new Set([...wanted].filter((id) => !found.has(id)));
    if (missing.size > 0) {
      for (const [id, event] of await findEventsById(deps.redis, missing, options.maxScan ?? 200_000, options)) found.set(id, event);
    }
    events = body.eventIds.filter((id, i, all) => all.indexOf(id) === i && found.has(id)).map((id) => found.get(id)!);
    notFound = [...wanted].filter((id) => !found.has(id));
  } else {
    const from = toMs(body.from);
    const to = body.to === undefined ? Date.now() : toMs(body.to);
    if (!(to >= from)) throw new AppError('INVALID_ARGUMENT', '"to" must not be before "from"', { details: { issues: [{ path: 'to', message: 'before from' }] } });
    await readEventsByArrival(deps.redis, from, to, (event) => {
      if (!endpointWants(endpoint, event)) return true;
      if (events.length >= maxEvents) {
        truncated = true;
        return false;
      }
      events.push(event);
      return true;
    }, options);
  }

  if (events.length === 0) return { jobs: 0, events: 0, truncated, notFound };
  const jobs = buildWebhookJobs(endpointId, events, options.maxEventsPerJob ?? 500, randomUUID());
  const jobOptions = webhookJobOptions(options);
  await deps.queue.addBulk(jobs.map((j) => ({ name: 'replay', data: j.data, opts: { ...jobOptions, jobId: j.jobId } })));
  return { jobs: jobs.length, events: events.length, truncated, notFound };
}
