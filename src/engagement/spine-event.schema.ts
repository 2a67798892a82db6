import { z } from 'zod';
import { CHANNEL_PATTERN, EVENT_ID_PATTERN } from './engagement-event.schema.js';

/**
 * Data-spine events (issue 18), sent to webhook endpoints that subscribe
 * to them, never ingested (they are no interaction: no aggregate or metric
 * counts them) and never accepted from clients:
 * - `recipient.updated`: a profile got a new version (PUT or PATCH);
 * - `render.refreshed`: a refresh on-update sticky link's master was
 *   requested for the new data, at campaign priority.
 */
export const SPINE_EVENT_TYPES = ['recipient.updated', 'render.refreshed'] as const;
export type SpineEventType = (typeof SPINE_EVENT_TYPES)[number];

/** `{id, type, recipientId, ts, campaignId?, channel?, templateId?, meta}`; meta holds versions, hashes and keys only. */
export const spineEventSchema = z.object({
  id: z.string().regex(EVENT_ID_PATTERN),
  type: z.enum(SPINE_EVENT_TYPES),
  recipientId: z.string().min(1).max(200),
  campaignId: z.string().min(1).max(200).optional(),
  channel: z.string().regex(CHANNEL_PATTERN).optional(),
  templateId: z.string().min(1).max(100).optional(),
  ts: z.number().int().min(0),
  meta: z.record(z.string(), z.union([z.string().max(200), z.number(), z.boolean()])).default({}),
  /** Farm-made: never a bot (kept so every webhook event has the field endpoints filter on). */
  bot: z.literal(false).default(false),
});
export type SpineEvent = z.output<typeof spineEventSchema>;
