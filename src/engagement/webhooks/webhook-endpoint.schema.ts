import { z } from 'zod';
import { CAMPAIGN_EVENT_TYPES, ENGAGEMENT_EVENT_TYPES } from '../engagement-event.schema.js';
import { SPINE_EVENT_TYPES } from '../spine-event.schema.js';
import { describeBadWebhookSecret } from './webhook-secret.js';

/** Endpoint ids: `ep_` and 20 url-safe characters, made by the registry. */
export const WEBHOOK_ENDPOINT_ID_PATTERN = /^ep_[A-Za-z0-9_-]{20}$/;

/** Event types an endpoint subscribes to; `*` means every type. */
export const webhookEventFilterSchema = z
  .array(z.union([z.enum(ENGAGEMENT_EVENT_TYPES), z.enum(CAMPAIGN_EVENT_TYPES), z.enum(SPINE_EVENT_TYPES), z.literal('*')]))
  .min(1, { message: 'subscribe to at least one event type (or "*")' })
  .max(ENGAGEMENT_EVENT_TYPES.length + CAMPAIGN_EVENT_TYPES.length + SPINE_EVENT_TYPES.length + 1)
  .transform((types) => [...new Set(types)]);

const secretSchema = z.string().superRefine((value, ctx) => {
  const why = describeBadWebhookSecret(value);
  if (why) ctx.addIssue({ code: 'custom', message: why });
});

/** How deliveries are written: Standard Webhooks (signed JSON batches) or Segment's HTTP Tracking API (a CDP). */
export const WEBHOOK_FORMATS = ['standard-webhooks', 'segment'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

/**
 * A CDP destination's mapping: which event types go, and the `track`
 * event name each is sent as. Defaults to the Segment video and
 * e-commerce spec names (DEFAULT_SEGMENT_MAPPING).
 */
export const segmentMappingSchema = z
  .partialRecord(z.enum(ENGAGEMENT_EVENT_TYPES), z.string().trim().min(1).max(200))
  .refine((m) => Object.keys(m).length > 0, { message: 'map at least one event type to an event name' });

/** A CDP write key: the receiver's secret, given by the CDP (shown once, then only a hint). */
const writeKeySchema = z.string().min(1).max(200).regex(/^[\x21-\x7e]+$/, { message: 'printable characters, no spaces' });

/** `POST /v1/webhooks` for a Standard Webhooks receiver (the default format). */
const createStandardInputSchema = z.strictObject({
  format: z.literal('standard-webhooks'),
  url: z.string().min(1).max(2_048),
  events: webhookEventFilterSchema,
  /** Generated when absent (`whsec_` + 32 random bytes). */
  secret: secretSchema.optional(),
  description: z.string().max(500).optional(),
  /** Also send events flagged as bots or link scanners. Default false. */
  includeBots: z.boolean().optional(),
});

/** `POST /v1/webhooks` for a CDP destination (`format: "segment"`): the events it gets are the mapping's. */
const createSegmentInputSchema = z.strictObject({
  format: z.literal('segment'),
  url: z.string().min(1).max(2_048),
  writeKey: writeKeySchema,
  mapping: segmentMappingSchema.optional(),
  description: z.string().max(500).optional(),
  includeBots: z.boolean().optional(),
});

/** `POST /v1/webhooks`: a Standard Webhooks endpoint (`format` absent or `standard-webhooks`) or a Segment-style CDP destination. */
export const createWebhookInputSchema = z.preprocess(
  (value) => (typeof value === 'object' && value !== null && !('format' in value) ? { ...value, format: 'standard-webhooks' } : value),
  z.discriminatedUnion('format', [createStandardInputSchema, createSegmentInputSchema]),
);
export type CreateWebhookInput = Omit<z.input<typeof createStandardInputSchema>, 'format'> & { format?: 'standard-webhooks' } | z.input<typeof createSegmentInputSchema>;

/** `PATCH /v1/webhooks/:id`: any subset; the secret changes only by rotation. */
export const updateWebhookInputSchema = z.strictObject({
  url: z.string().min(1).max(2_048).optional(),
  events: webhookEventFilterSchema.optional(),
  description: z.string().max(500).nullable().optional(),
  includeBots: z.boolean().optional(),
  /** false disables; enabling goes through `POST /:id/enable`, which also clears the failure run. */
  enabled: z.literal(false).optional(),
  /** CDP destinations only: a new mapping (the events they get follow it). */
  mapping: segmentMappingSchema.optional(),
});
export type UpdateWebhookInput = z.input<typeof updateWebhookInputSchema>;

/** `POST /v1/webhooks/:id/rotate-secret`: a given secret, or a generated one. */
export const rotateSecretInputSchema = z.strictObject({ secret: secretSchema.optional() });
/** `POST /v1/webhooks/:id/rotate-secret` of a CDP destination: the new write key (the CDP makes it). */
export const rotateWriteKeyInputSchema = z.strictObject({ secret: writeKeySchema });

/** `POST /v1/webhooks/:id/replay`: a time range (epoch ms or ISO dates) or event ids. */
export const replayInputSchema = z.union([
  z.strictObject({
    from: z.union([z.number().int().min(0), z.iso.datetime({ offset: true })]),
    to: z.union([z.number().int().min(0), z.iso.datetime({ offset: true })]).optional(),
  }),
  z.strictObject({ eventIds: z.array(z.string().min(1).max(64)).min(1).max(10_000) }),
]);
export type ReplayInput = z.input<typeof replayInputSchema>;

/** A signing secret (a CDP's write key), newest first; an old one carries the time it stops signing. */
export interface StoredWebhookSecret {
  secret: string;
  createdAt: number;
  expiresAt: number | null;
}

/** An endpoint as the registry keeps it (secrets in clear: signing needs them). */
export interface StoredWebhookEndpoint {
  id: string;
  url: string;
  format: WebhookFormat;
  /** The event types sent (for a CDP destination: its mapping's). */
  events: string[];
  /** CDP destinations: event type -> `track` event name; null for Standard Webhooks. */
  mapping: Record<string, string> | null;
  description: string | null;
  includeBots: boolean;
  enabled: boolean;
  disabledReason: string | null;
  disabledAt: number | null;
  createdAt: number;
  updatedAt: number;
  secrets: StoredWebhookSecret[];
}

/** Delivery health of one endpoint. Times are epoch ms. */
export interface WebhookEndpointStats {
  lastSuccessAt: number | null;
  lastFailure: { at: number; status: number | null; errorClass: string; message: string } | null;
  consecutiveFailures: number;
  /** Start of the current run of failures (null after a success). */
  failingSince: number | null;
  delivered: number;
  failed: number;
}

/** What the API shows: no secret in clear, only a hint of each. */
export interface PublicWebhookEndpoint extends Omit<StoredWebhookEndpoint, 'secrets'> {
  secrets: { hint: string; createdAt: number; expiresAt: number | null }[];
  stats: WebhookEndpointStats;
}
