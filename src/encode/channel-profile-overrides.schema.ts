import { z } from 'zod';
import { deliverableSpecSchema } from './channel-profile.schema.js';

/** A channel name as it appears in Live links, URLs and config: short, lower-case, URL-safe. */
export const channelNameSchema = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'a channel name is 1-32 of a-z, 0-9 and -, starting with a letter');

/**
 * What a template or the config may change in one channel: its variant, its
 * deliverable list (replaced as a whole, never merged item by item, so the
 * result is always a list someone wrote down), or both. A channel that is not
 * in CHANNEL_PROFILES needs both.
 */
export const channelProfileOverrideSchema = z.strictObject({
  variant: z.string().min(1).max(32).optional(),
  deliverables: z.array(deliverableSpecSchema).min(1).max(8).optional(),
});

/**
 * Channel → override. This is the shape the config reads from its JSON
 * environment variable, and the shape a template declares.
 */
export const channelProfileOverridesSchema = z.record(channelNameSchema, channelProfileOverrideSchema);

/** One channel's override as written (defaults of its deliverables not yet applied). */
export type ChannelProfileOverride = z.input<typeof channelProfileOverrideSchema>;
/** Channel → override, as written. */
export type ChannelProfileOverrides = z.input<typeof channelProfileOverridesSchema>;
