import type { Template } from '../composition/index.js';
import type { ChannelProfile } from './channel-profile.schema.js';
import type { ChannelProfileOverride } from './channel-profile-overrides.schema.js';
import { resolveChannelProfile } from './resolve-channel-profile.js';

/** A template's profile for a channel, with the deployment's overrides applied. */
export type ChannelProfileResolver = (template: Template, channel: string) => ChannelProfile;

/**
 * Binds the config's overrides (CHANNEL_PROFILES_JSON, TRANSCODE_WEBM) once;
 * each call adds the template's own overrides. Results are memoised per
 * template version and channel: the inputs never change in a process.
 */
export function createChannelProfileResolver(config: { overrides?: Record<string, unknown>; webm?: boolean } = {}): ChannelProfileResolver {
  const memo = new Map<string, ChannelProfile>();
  return (template, channel) => {
    const id = `${template.id}\u0000${channel}`;
    let profile = memo.get(id);
    if (!profile) {
      profile = resolveChannelProfile(channel, {
        template: template.channelProfiles as Record<string, ChannelProfileOverride> | undefined,
        config: config.overrides as Record<string, ChannelProfileOverride> | undefined,
        webm: config.webm ?? false,
      });
      memo.set(id, profile);
    }
    return profile;
  };
}
