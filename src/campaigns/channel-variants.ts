import { z } from 'zod';
import type { Template } from '../composition/index.js';
import { type ChannelProfile, CHANNEL_PROFILES, type ChannelName } from '../encode/index.js';
import { AppError } from '../errors/index.js';

/**
 * The delivery channels a campaign can target, and the template variant each
 * one renders by default (the table is src/encode/channel-profiles.ts).
 * Channels that share a variant share one master render: email + web is one
 * render per recipient, not two.
 */
export const CHANNEL_VARIANTS = Object.fromEntries(Object.entries(CHANNEL_PROFILES).map(([c, p]) => [c, p.variant])) as Record<ChannelName, string>;

export const channelSchema = z.enum(Object.keys(CHANNEL_PROFILES) as [ChannelName, ...ChannelName[]]);

export type Channel = z.infer<typeof channelSchema>;

/** Channels of a campaign and the distinct variants they need, in first-use order. */
export interface ChannelPlan {
  channels: Channel[];
  /** Distinct variants, in the order their first channel was listed. */
  variants: string[];
  /** For each channel (same order as `channels`), the index of its variant in `variants`. */
  variantIndex: number[];
  /** For each channel, its resolved profile (deliverables), when a resolver was given. */
  profiles?: ChannelProfile[];
}

/**
 * Maps channels to variants and checks the template has each of them, so a
 * campaign for `social` on a landscape-only template fails at creation with
 * a clear message, not with a failed render per recipient. `variant`
 * overrides the table for every channel (a single-variant template).
 */
export function planChannels(
  template: Template,
  channels: readonly string[],
  variant?: string,
  resolveProfile?: (template: Template, channel: string) => ChannelProfile,
): ChannelPlan {
  if (channels.length === 0) throw channelError('A campaign needs at least one channel.', {});
  const parsed: Channel[] = [];
  for (const name of channels) {
    const result = channelSchema.safeParse(name);
    if (!result.success) {
      throw channelError(`unknown channel "${name}"; channels: ${channelSchema.options.join(', ')}`, { channel: name });
    }
    if (parsed.includes(result.data)) throw channelError(`channel "${name}" is listed twice`, { channel: name });
    parsed.push(result.data);
  }
  const variants: string[] = [];
  const profiles = resolveProfile ? parsed.map((channel) => resolveProfile(template, channel)) : undefined;
  const variantIndex = parsed.map((channel, i) => {
    const wanted = variant ?? profiles?.[i]!.variant ?? CHANNEL_VARIANTS[channel];
    if (!template.variants[wanted]) {
      throw channelError(
        `template "${template.id}" has no "${wanted}" variant, which channel "${channel}" needs; ` +
          `its variants: ${Object.keys(template.variants).join(', ')} (drop the channel or pass a variant)`,
        { channel, variant: wanted, templateId: template.id },
      );
    }
    let index = variants.indexOf(wanted);
    if (index < 0) index = variants.push(wanted) - 1;
    return index;
  });
  return { channels: parsed, variants, variantIndex, ...(profiles ? { profiles } : {}) };
}

/** INVALID_ARGUMENT whose reason also reaches API clients (as `issues`; no personal data in it). */
function channelError(message: string, details: Record<string, unknown>): AppError {
  return new AppError('INVALID_ARGUMENT', `Invalid campaign channels: ${message}`, {
    details: { ...details, issues: [{ path: 'channels', message }] },
  });
}
