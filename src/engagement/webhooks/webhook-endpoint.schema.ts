import { z } from 'zod';
import { ENGAGEMENT_EVENT_TYPES } from '../engagement-event.schema.js';
import { describeBadWebhookSecret } from './webhook-secret.js';

/** Endpoint ids: `ep_` and 20 url-safe characters, made by the registry. */
export const WEBHOOK_ENDPOINT_ID_PATTERN = /^ep_[A-Za-z0-9_-]{20}$/;

/** Event types an endpoint subscribes to; `*` means every type. */
export const webhookEventFilterSchema = z
  .array(z.union([z.enum(ENGAGEMENT_EVENT_TYPES), z.literal('*')]))
  .min(1, { message: 'subscribe to at least one event type (or "*")' })
  .max(ENGAGEMENT_EVENT_TYPES.length + 1)
  .transform((types) => [...new Set(types)]);

const secretSchema = z.string().superRefine((value, ctx) => {
  const why = describeBadWebhookSecret(value);
  if (why) ctx.addIssue({ code: 'custom', message: why });
});

/** `POST /v1/webhooks`. */
export const createWebhookInputSchema = z.strictObject({
  url: z.string().min(1).max(2_048),
  events: webhookEventFilterSchema,
  /** Generated when absent (`whsec_` + 32 random bytes). */
  secret: secretSchema.optional(),
  description: z.string().max(500).optional(),
  /** Also send events flagged as bots or link scanners. Default false. */
  includeBots: z.boolean().optional(),
});
export type CreateWebhookInput = z.input<typeof createWebhookInputSchema>;

/** `PATCH /v1/webhooks/:id`: any subset; the secret changes only by rotation. */
export const updateWebhookInputSchema = z.strictObject({
  url: z.string().min(1).max(2_048).optional(),
  events: webhookEventFilterSchema.optional(),
  description: z.string().max(500).nullable().optional(),
  includeBots: z.boolean().optional(),
  /** false disables; enabling goes through `POST /:id/enable`, which also clears the failure run. */
  enabled: z.literal(false).optional(),
});
export type UpdateWebhookInput = z.input<typeof updateWebhookInputSchema>;

/** `POST /v1/webhooks/:id/rotate-secret`: a given secret, or a generated one. */
export const rotateSecretInputSchema = z.strictObject({ secret: secretSchema.optional() });

/** `POST /v1/webhooks/:id/replay`: a time range (epoch ms or ISO dates) or event ids. */
export const replayInputSchema = z.union([
  z.strictObject({
    from: z.union([z.number().int().min(0), z.iso.datetime({ offset: true })]),
    to: z.union([z.number().int().min(0), z.iso.datetime({ offset: true })]).optional(),
  }),
  z.strictObject({ eventIds: z.array(z.string().min(1).max(64)).min(1).max(10_000) }),
]);
export type ReplayInput = z.input<typeof replayInputSchema>;

/** A signing secret, newest first; an old one carries the time it stops signing. */
export interface StoredWebhookSecret {
  secret: string;
  createdAt: number;
  expiresAt: number | null;
}

/** An endpoint as the registry keeps it (secrets in clear: signing needs them). */
export interface StoredWebhookEndpoint {
  id: string;
  url: string;
  events: string[];
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
