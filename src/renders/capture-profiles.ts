import type { Redis } from 'ioredis';
import { isCaptureProfile, type CaptureProfile } from '../pipeline/index.js';
import { redisKeys, type RedisKeys } from '../redis/index.js';

/**
 * The capture profile of each template version (src/pipeline/capture-profile.ts),
 * kept in Redis so that every render worker cuts a split master of that
 * version by capture cost (planRenderSplit), not by frame count: a whole
 * render or a join records it, the next split reads it.
 */
export interface CaptureProfiles {
  /** The version's profile, or undefined when none was recorded or it does not cover `frames` frames. */
  get(templateId: string, templateVersion: string, frames: number): Promise<CaptureProfile | undefined>;
  /** Keeps `profile` (the whole composition's) as the version's; the last one recorded wins. */
  record(templateId: string, templateVersion: string, profile: CaptureProfile): Promise<void>;
}

export interface CaptureProfilesOptions {
  keys?: RedisKeys;
  /**
   * How long an unused profile is kept, in seconds (refreshed by each
   * record). Default 30 days: a template version nobody renders any more
   * leaves nothing behind, one in use is recorded again by its renders.
   */
  ttlSeconds?: number;
}

/** Profiles in Redis under redisKeys.captureProfile; a profile is at most one byte per frame. */
export function createCaptureProfiles(redis: Pick<Redis, 'get' | 'set'>, options: CaptureProfilesOptions = {}): CaptureProfiles {
  const keys = options.keys ?? redisKeys;
  const ttlSeconds = options.ttlSeconds ?? 30 * 24 * 3600;
  return {
    async get(templateId, templateVersion, frames) {
      const stored = await redis.get(keys.captureProfile(templateId, templateVersion));
      // A profile of another length (a version string reused, a partial write by an old worker) cuts nothing.
      return isCaptureProfile(stored, frames) ? stored : undefined;
    },
    async record(templateId, templateVersion, profile) {
      if (!isCaptureProfile(profile, profile.length) || profile.length === 0) return;
      await redis.set(keys.captureProfile(templateId, templateVersion), profile, 'EX', ttlSeconds);
    },
  };
}
