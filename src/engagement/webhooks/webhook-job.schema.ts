import { createHash } from 'node:crypto';
import { z } from 'zod';
import { CAMPAIGN_EVENT_TYPES, campaignEventSchema, engagementEventSchema } from '../engagement-event.schema.js';
import { SPINE_EVENT_TYPES, spineEventSchema } from '../spine-event.schema.js';

/**
 * What a webhook message carries: engagement events, one campaign lifecycle
 * event, or data-spine events (never mixed in one message).
 */
export const webhookEventSchema = z.union([engagementEventSchema, campaignEventSchema, spineEventSchema]);
export type WebhookEvent = z.output<typeof webhookEventSchema>;

const CAMPAIGN_TYPES: ReadonlySet<string> = new Set(CAMPAIGN_EVENT_TYPES);
const SPINE_TYPES: ReadonlySet<string> = new Set(SPINE_EVENT_TYPES);

/** The `type` of the message an event travels in: `engagement.batch`, `spine.batch`, or the campaign event's own type. */
export function webhookMessageType(event: WebhookEvent): string {
  if (CAMPAIGN_TYPES.has(event.type)) return event.type;
  return SPINE_TYPES.has(event.type) ? 'spine.batch' : 'engagement.batch';
}

/** One BullMQ job of queue `webhooks`: one batch of events for one endpoint. */
export const webhookJobDataSchema = z.object({
  endpointId: z.string(),
  /** The `webhook-id` header: the same on every attempt of this message. */
  messageId: z.string(),
  events: z.array(webhookEventSchema).min(1),
  /** Set when the job comes from `POST /v1/webhooks/:id/replay`. */
  replay: z.boolean().default(false),
});
export type WebhookJobData = z.input<typeof webhookJobDataSchema>;

/** What a finished webhook job returns. */
export type WebhookJobResult = { delivered: true; status: number; attempt: number } | { delivered: false; skipped: 'endpoint_deleted' | 'endpoint_disabled' | 'nothing_mapped' | 'recipients_erased' };

/**
 * Job id of a (batch, endpoint) pair: a hash of the endpoint id and the
 * batch's sorted event ids, so the same batch dispatched twice (a retried
 * ingest) is one job. Replays add a nonce: they must send again.
 */
export function webhookJobId(endpointId: string, eventIds: readonly string[], replayNonce?: string): string {
  const hash = createHash('sha256').update(endpointId).update('\n').update([...eventIds].sort().join(','));
  if (replayNonce) hash.update('\nreplay:').update(replayNonce);
  return `wh-${hash.digest('hex').slice(0, 40)}`;
}

/** The message id (`webhook-id`) of a job: derived from its job id, so stable across retries. */
export function webhookMessageId(jobId: string): string {
  return `msg_${jobId.slice(3)}`;
}
