import { z } from 'zod';
import { isCurrencyCode } from './currency.js';

/** Every interaction event type, and the one place each comes from (issue 6). */
export const INTERACTION_EVENT_TYPES = [
  'delivered', // an output is published for a recipient and channel, or the sender (ESP, SMS provider) reports delivery
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
export type InteractionEventType = (typeof INTERACTION_EVENT_TYPES)[number];

/** Every event type: the interactions, then `conversion` (an order or other valued outcome). */
export const ENGAGEMENT_EVENT_TYPES = [...INTERACTION_EVENT_TYPES, 'conversion'] as const;
export type EngagementEventType = (typeof ENGAGEMENT_EVENT_TYPES)[number];

/** Interaction types that are a recipient responding: everything but `delivered`. */
export const ENGAGEMENT_RESPONSE_TYPES = INTERACTION_EVENT_TYPES.filter((t) => t !== 'delivered') as Exclude<InteractionEventType, 'delivered'>[];

/**
 * Responses that make a recipient "engaged": every response but `impression`.
 * An open alone is no proof of a person (privacy proxies such as Apple Mail
 * Privacy Protection fetch every image), so it counts in the funnel only.
 */
export const ENGAGEMENT_TYPES = ENGAGEMENT_RESPONSE_TYPES.filter((t) => t !== 'impression');

/** Ids are client-made (beacons) or server-made; the same id is counted once. */
export const EVENT_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
/** Channel names: also the first part of aggregate hash fields, so never a `|`. */
export const CHANNEL_PATTERN = /^[a-z][a-z0-9_-]{0,31}$/;
/** Order and reference ids of conversions (the brand's own). */
export const ORDER_ID_PATTERN = /^[A-Za-z0-9_.:#/-]{1,100}$/;
/** Largest conversion value accepted (in major units of its currency). */
export const MAX_CONVERSION_VALUE = 1e10;

const campaignOrRecipient = z.string().min(1).max(200);
const meta = z.record(z.string(), z.union([z.string().max(200), z.number(), z.boolean()])).default({});

/** One interaction `{id, type, campaignId, recipientId, channel, templateId, ts, meta}`. */
export const interactionEventSchema = z.object({
  id: z.string().regex(EVENT_ID_PATTERN, { message: 'must be 8-64 characters of [A-Za-z0-9_-]' }),
  type: z.enum(INTERACTION_EVENT_TYPES),
  campaignId: campaignOrRecipient,
  recipientId: campaignOrRecipient,
  channel: z.string().regex(CHANNEL_PATTERN),
  templateId: z.string().min(1).max(100),
  ts: z.number().int().min(0),
  meta,
  /** Set by ingestion, never trusted from a client: a bot or link scanner. */
  bot: z.boolean().default(false),
  /** Set by ingestion on an `impression` fetched by a privacy proxy: a machine-likely open, counted apart. */
  machineOpen: z.literal(true).optional(),
});

/**
 * One conversion: a value in a currency for an order (or other reference)
 * of the brand's. Its id is derived from the campaign and the order id by
 * ingestion, so an order reported twice (by the pixel and the backend, or a
 * replayed pixel) counts once. `channel` is the channel of the link the
 * visitor came through, when known.
 */
export const conversionEventSchema = z.object({
  id: z.string().regex(EVENT_ID_PATTERN, { message: 'must be 8-64 characters of [A-Za-z0-9_-]' }),
  type: z.literal('conversion'),
  campaignId: campaignOrRecipient,
  recipientId: campaignOrRecipient,
  channel: z.string().regex(CHANNEL_PATTERN).optional(),
  templateId: z.string().min(1).max(100).optional(),
  ts: z.number().int().min(0),
  /** In major units (12.5 is 12.50 EUR), rounded by ingestion to the currency's minor unit. */
  value: z.number().finite().min(0).max(MAX_CONVERSION_VALUE),
  /** ISO 4217, upper case. */
  currency: z.string().refine(isCurrencyCode, { message: 'must be an ISO 4217 currency code (e.g. EUR)' }),
  orderId: z.string().regex(ORDER_ID_PATTERN, { message: 'must be 1-100 characters of A-Z a-z 0-9 _ . : # / -' }),
  meta,
  bot: z.boolean().default(false),
});

/**
 * Any stored event. `ts` is epoch milliseconds. `meta` holds non-personal
 * detail only; a farm-made `delivered` event carries `meta.propsHash`
 * (sha256 of the recipient's canonical props), which the consistency score
 * compares across channels, every `delivered` and `conversion` carries
 * `meta.source` (who reported it), set by ingestion, and an event of a
 * sticky link carries `meta.profileVersion`, the profile version it showed
 * (set by the server: from the open, or from the page's pin for a beacon),
 * which version consistency and data latency are computed from.
 */
export const engagementEventSchema = z.discriminatedUnion('type', [interactionEventSchema, conversionEventSchema]);
export type EngagementEvent = z.output<typeof engagementEventSchema>;

/** Campaign lifecycle events: not a recipient's, never counted in the funnel; webhooks only. */
export const CAMPAIGN_EVENT_TYPES = ['campaign.completed'] as const;
export type CampaignEventType = (typeof CAMPAIGN_EVENT_TYPES)[number];

/**
 * `campaign.completed`: every master rendered or failed and every channel
 * deliverable cut or failed. `meta` carries the final counts (no personal
 * data). Its id is derived from the campaign id, so it is sent once.
 */
export const campaignEventSchema = z.object({
  id: z.string().regex(EVENT_ID_PATTERN),
  type: z.enum(CAMPAIGN_EVENT_TYPES),
  campaignId: campaignOrRecipient,
  ts: z.number().int().min(0),
  meta,
});
export type CampaignEvent = z.output<typeof campaignEventSchema>;

/** An event as callers send it: a conversion's id is optional (ingestion derives it from the campaign and order id). */
export type EngagementEventInput = z.input<typeof interactionEventSchema> | (Omit<z.input<typeof conversionEventSchema>, 'id'> & { id?: string });
export type InteractionEvent = z.output<typeof interactionEventSchema>;
export type ConversionEvent = z.output<typeof conversionEventSchema>;

/**
 * Where accepted (validated, deduplicated) events go after they are stored:
 * the webhook dispatcher is one. A sink must not throw for one bad event.
 */
export type EventSink = (events: readonly EngagementEvent[]) => Promise<void>;
