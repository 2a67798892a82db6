import { z } from 'zod';

/** Every engagement event type, and the one place each comes from (issue 6). */
export const ENGAGEMENT_EVENT_TYPES = [
  'delivered', // an output is published for a recipient and channel
  'impression', // a poster or GIF is fetched: the email open pixel
  'page_view', // the landing page
  'play', // the player (live player or MP4)
  'progress_25',
  'progress_50',
  'progress_75',
  'complete',
  'cta_click', // the CTA redirect
  'share', // the share button
] as const;
export type EngagementEventType = (typeof ENGAGEMENT_EVENT_TYPES)[number];

/** Types that count as a recipient responding (everything but `delivered`). */
export const ENGAGEMENT_RESPONSE_TYPES = ENGAGEMENT_EVENT_TYPES.filter((t) => t !== 'delivered') as Exclude<EngagementEventType, 'delivered'>[];

/** Ids are client-made (beacons) or server-made; the same id is counted once. */
export const EVENT_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
const campaignOrRecipient = z.string().min(1).max(200);

/**
 * One engagement event `{id, type, campaignId, recipientId, channel, templateId, ts, meta}`.
 * `ts` is epoch milliseconds. `meta` holds non-personal detail only; a
 * `delivered` event carries `meta.propsHash` (sha256 of the recipient's
 * canonical props), which the consistency score compares across channels.
 */
export const engagementEventSchema = z.object({
  id: z.string().regex(EVENT_ID_PATTERN, { message: 'must be 8-64 characters of [A-Za-z0-9_-]' }),
  type: z.enum(ENGAGEMENT_EVENT_TYPES),
  campaignId: campaignOrRecipient,
  recipientId: campaignOrRecipient,
  channel: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/),
  templateId: z.string().min(1).max(100),
  ts: z.number().int().min(0),
  meta: z.record(z.string(), z.union([z.string().max(200), z.number(), z.boolean()])).default({}),
  /** Set by ingestion, never trusted from a client: a bot or link scanner. */
  bot: z.boolean().default(false),
});
export type EngagementEvent = z.output<typeof engagementEventSchema>;
export type EngagementEventInput = z.input<typeof engagementEventSchema>;

/**
 * Where accepted (validated, deduplicated) events go after they are stored:
 * the webhook dispatcher is one. A sink must not throw for one bad event.
 */
export type EventSink = (events: readonly EngagementEvent[]) => Promise<void>;
