import { AppError } from '../errors/index.js';
import { channelProfileOverrideSchema, type ChannelProfileOverride } from './channel-profile-overrides.schema.js';
import { channelProfileSchema, type ChannelProfile, type DeliverableSpec, type VideoSpec } from './channel-profile.schema.js';
import { CHANNEL_PROFILES } from './channel-profiles.js';

/** Where channel profiles may be changed, weakest first. */
export interface ChannelProfileOverridesInput {
  /** Declared by the template (e.g. a template without a portrait variant maps inapp elsewhere). */
  template?: Partial<Record<string, ChannelProfileOverride>>;
  /** From the deployment's config; wins over the template. */
  config?: Partial<Record<string, ChannelProfileOverride>>;
  /** Add a VP9 WebM twin of every MP4 video deliverable. */
  webm?: boolean;
}

/**
 * x264 and libvpx-vp9 CRF scales differ: x264 23 looks about like VP9 31-33,
 * which is Google's recommended range for 720p-1080p.
 * https://developers.google.com/media/vp9/settings/vod#quality
 */
const VP9_CRF_OFFSET = 9;

function parseOverride(source: 'template' | 'config', channel: string, value: ChannelProfileOverride): ChannelProfileOverride {
  const parsed = channelProfileOverrideSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new AppError('INVALID_ARGUMENT', `Invalid ${source} override of channel ${channel}: ${problems.join('; ')}`, {
    details: { source, channel, problems },
  });
}

function webmTwin(spec: VideoSpec): VideoSpec {
  return {
    ...spec,
    name: spec.name.replace(/\.mp4$/, '.webm'),
    container: 'webm',
    codec: 'vp9',
    crf: Math.min(63, spec.crf + VP9_CRF_OFFSET),
  };
}

/** Adds `x.webm` after each `x.mp4` video, unless a deliverable of that name already exists. */
function withWebmTwins(deliverables: DeliverableSpec[]): DeliverableSpec[] {
  const names = new Set(deliverables.map((d) => d.name));
  return deliverables.flatMap((d) => {
    if (d.kind !== 'video' || d.container !== 'mp4') return [d];
    const twin = webmTwin(d);
    if (names.has(twin.name)) return [d];
    names.add(twin.name);
    return [d, twin];
  });
}

function knownChannels(overrides: ChannelProfileOverridesInput): string[] {
  const names = new Set<string>(Object.keys(CHANNEL_PROFILES));
  for (const source of [overrides.template, overrides.config]) {
    for (const [name, o] of Object.entries(source ?? {})) if (o?.variant && o.deliverables) names.add(name);
  }
  return [...names].sort();
}

/**
 * The effective profile of `channel`: the default from CHANNEL_PROFILES, then
 * the template's override, then the config's (each may replace the variant
 * and/or the deliverable list, or define a new channel with both), then the
 * optional WebM twins. The result is validated and has every default applied.
 * Throws AppError('INVALID_ARGUMENT') for an unknown channel (listing the
 * known ones) or an invalid override.
 */
export function resolveChannelProfile(channel: string, overrides: ChannelProfileOverridesInput = {}): ChannelProfile {
  const base: { variant?: string; deliverables?: unknown[] } = Object.hasOwn(CHANNEL_PROFILES, channel)
    ? { ...CHANNEL_PROFILES[channel as keyof typeof CHANNEL_PROFILES] }
    : {};
  let merged = { variant: base.variant, deliverables: base.deliverables };
  for (const source of ['template', 'config'] as const) {
    const raw = overrides[source]?.[channel];
    if (raw === undefined) continue;
    const o = parseOverride(source, channel, raw);
    merged = { variant: o.variant ?? merged.variant, deliverables: o.deliverables ?? merged.deliverables };
  }
  if (merged.variant === undefined || merged.deliverables === undefined) {
    const known = knownChannels(overrides);
    throw new AppError('INVALID_ARGUMENT', `Unknown channel ${JSON.stringify(channel)}; known channels: ${known.join(', ')}`, {
      details: { channel, known },
    });
  }
  const parsed = channelProfileSchema.safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new AppError('INVALID_ARGUMENT', `Invalid profile for channel ${channel}: ${problems.join('; ')}`, { details: { channel, problems } });
  }
  const profile = parsed.data;
  checkDeliverables(channel, profile.deliverables);
  if (!overrides.webm) return profile;
  const twins = withWebmTwins(profile.deliverables);
  if (twins.length > 8) {
    throw new AppError('INVALID_ARGUMENT', `Channel ${channel} would have ${twins.length} deliverables with WebM twins (at most 8)`, {
      details: { channel },
    });
  }
  return { ...profile, deliverables: twins };
}

/** Cross-field rules the per-item schemas cannot see. */
function checkDeliverables(channel: string, deliverables: DeliverableSpec[]): void {
  const seen = new Set<string>();
  for (const d of deliverables) {
    if (seen.has(d.name)) throw new AppError('INVALID_ARGUMENT', `Channel ${channel} has two deliverables named ${d.name}`, { details: { channel } });
    seen.add(d.name);
    if (d.kind !== 'video') continue;
    const ok = d.container === 'webm' ? d.codec === 'vp9' && d.name.endsWith('.webm') : d.codec !== 'vp9' && d.name.endsWith('.mp4');
    if (!ok) {
      throw new AppError('INVALID_ARGUMENT', `Channel ${channel}: ${d.name} pairs container ${d.container} with codec ${d.codec} (mp4: h264/hevc, webm: vp9)`, {
        details: { channel, deliverable: d.name },
      });
    }
  }
}
